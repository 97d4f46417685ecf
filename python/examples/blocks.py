#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""pynvm's pmemblk example on pcoll (only the import line differs).

    blocks.py POOLFILE [POOLSIZE]

The pynvm example made a 1 GiB pool; the size is an argument here
(default 64 MiB, at least pmemblk.MIN_POOL).
"""
import sys

from pcoll.nvm import pmemblk

path = sys.argv[1] if len(sys.argv) > 1 else "happy_blocks.pmemblk"
size = int(sys.argv[2]) if len(sys.argv) > 2 else 64 << 20

# This will create a block pool with block size of 256
blockpool = pmemblk.create(path, 256, size)

# Print the number of blocks available
print(blockpool.nblock())

# Write into the 20th block
blockpool.write("persistent block!", 20)

# Read the block 20 back
data = blockpool.read(20)
blockpool.close()

# Reopen the blockpool and print 20th block
blockpool = pmemblk.open(path)
print(blockpool.read(20).decode())

blockpool.close()
