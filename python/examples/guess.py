#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The guessing game that remembers its state between runs (pynvm's
pmemobj tutorial game, on pcoll).

    guess.py [--pool PATH] start [NAME]   pick a number, remember NAME
    guess.py [--pool PATH] guess N        one guess
    guess.py [--pool PATH] status         the guesses so far

The game lives in a pool: a Map "game" (name, number, limits, the last
outcome) and a Vector "guesses" of ints. start writes both in one
transaction, each guess appends and records its outcome in another, so a
game killed at any moment either has a complete state or none. The pool
file is removed when the game is won or lost.
"""
import argparse
import os
import random
import sys

import pcoll

MAX = 50
TRIES = 6


def reopen(path):
    """The open pool of a game in progress, or None (with a message)."""
    try:
        pool = pcoll.Pool.open(path)
    except pcoll.PoolNotFoundError:
        print("No game in progress. Use 'start' to start one.")
        return None
    except pcoll.Error as err:
        print("Could not open the game file: %s" % err)
        return None
    if "game" not in pool.roots():
        # start was killed before its transaction committed
        pool.close()
        os.remove(path)
        print("Looks like a start was aborted. Please run start again.")
        return None
    return pool


def start(path, name):
    if os.path.exists(path):
        print("There is already a game file. Use 'status' to see it.")
        return 1
    if name is None:
        name = input("Hello, what is your name?  ")
    with pcoll.Pool.create(path, 16 << 20) as pool:
        with pool.transaction():
            game = pool.map("game")
            game["name"] = name
            game["number"] = str(random.randint(1, MAX))
            game["outcome"] = "START"
            pool.vector("guesses", "i")
    print("%s, I've picked a number between 1 and %d." % (name, MAX))
    print("Type 'guess' followed by your guess at the prompt.")
    return 0


def message(outcome, name, number, guesses):
    return {
        "START": "%s, I've picked a number between 1 and %d." % (name, MAX),
        "SEEN": "You already tried %d." % (guesses[-1] if guesses else 0),
        "LOW": "Your guess is too low.",
        "HIGH": "Your guess is too high.",
        "EQUAL": "You guessed my number in %d tries, %s." % (len(guesses),
                                                             name),
    }[outcome]


def guess(path, text):
    try:
        g = int(text)
    except ValueError:
        print("Please specify an integer as your guess.")
        return 1
    if not 1 <= g <= MAX:
        print("Come now, a guess outside of 1..%d won't get you anywhere."
              % MAX)
        return 1
    pool = reopen(path)
    if pool is None:
        return 1
    with pool:
        game = pool.map("game")
        guesses = pool.vector("guesses")
        name = game["name"].decode()
        number = int(game["number"])
        with pool.transaction():
            if g in guesses:
                outcome = "SEEN"
            elif g < number:
                outcome = "LOW"
            elif g > number:
                outcome = "HIGH"
            else:
                outcome = "EQUAL"
            guesses.append(g)
            game["outcome"] = outcome
        print(message(outcome, name, number, guesses.tolist()))
        done = outcome == "EQUAL"
        if not done and len(guesses) >= TRIES:
            print("Too many guesses, %s! The number I was thinking of was "
                  "%d." % (name, number))
            done = True
    if done:
        os.remove(path)
    return 0


def status(path):
    pool = reopen(path)
    if pool is None:
        return 1
    with pool:
        game = pool.map("game")
        guesses = pool.vector("guesses").tolist()
        if not guesses:
            print("No guesses yet, use 'guess <integer>' to make a guess.")
            return 0
        print("Guesses so far:")
        for g in guesses:
            print("  %d" % g)
        print("My response to your last guess:")
        print("  " + message(game["outcome"].decode(),
                             game["name"].decode(), int(game["number"]),
                             guesses))
    return 0


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pool", default="guessing_game.pool",
                    help="the game's pool file")
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("start")
    s.add_argument("name", nargs="?")
    g = sub.add_parser("guess")
    g.add_argument("n")
    sub.add_parser("status")
    a = ap.parse_args(argv)
    if a.cmd == "start":
        return start(a.pool, a.name)
    if a.cmd == "guess":
        return guess(a.pool, a.n)
    return status(a.pool)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
