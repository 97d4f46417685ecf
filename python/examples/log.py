#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""pynvm's pmemlog example on pcoll (only the import line differs), then
the log reopened and walked again, as libpmemlog's C example does.

    log.py POOLFILE
"""
import sys

from pcoll.nvm import pmemlog

path = sys.argv[1] if len(sys.argv) > 1 else "mylogging.pmemlog"

# Create the logging and print the size (the default pool size is 2 MB,
# which pcoll rounds up to 16 MB)
log = pmemlog.create(path)
print(log.nbyte())

# Append to the log
log.append("persistent logging!")


# Walk over the log (you can also specify chunk sizes)
def take_walk(data):
    print("Data:", data.decode())
    return 1


log.walk(take_walk)
# This will show: "Data: persistent logging!"

# Close the log pool
log.close()

# Reopen: the record is still there
log = pmemlog.open(path)
log.append("and after reopening")
log.walk(take_walk, 8)
print("tell:", log.tell())
log.close()
