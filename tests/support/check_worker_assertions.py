#!/usr/bin/env python3
"""Fails when a Catch2 macro appears in a lambda a test starts on another thread.

Catch2 v2 is not thread-safe (see tests/README.md). This scans every lambda given
to std::thread, std::jthread, std::async, WorkerThread or an executor's Submit
under the given folder and reports REQUIRE/CHECK/INFO/CAPTURE/FAIL/WARN/SUCCEED
inside its body. Helpers such a lambda calls are not followed: they must assert
nothing (return a Status or record into a FailureLog instead).

usage: check_worker_assertions.py <tests-folder> [--list]
"""
import pathlib
import re
import sys

THREAD_START = re.compile(r"(std::thread|std::jthread|std::async|WorkerThread|\.Submit\()")
CATCH_MACRO = re.compile(
    r"\b(REQUIRE|CHECK|INFO|CAPTURE|FAIL|WARN|SUCCEED|UNSCOPED_INFO)\w*\s*\(")
NOT_A_START = ("using", "//", "class", "explicit", "#include")


def call_end(text, open_paren):
    """The index of the parenthesis closing the one at `open_paren`."""
    depth = 0
    for index in range(open_paren, len(text)):
        if text[index] == "(":
            depth += 1
        elif text[index] == ")":
            depth -= 1
            if depth == 0:
                return index
    return len(text)


def lambda_body(text, start, within=None):
    """The braces of the first lambda after `start` (before `within` when given),
    or None."""
    end = len(text) if within is None else within
    capture = text.find("[", start, end)
    open_brace = text.find("{", capture, end) if capture >= 0 else -1
    if open_brace < 0:
        return None
    depth = 0
    for index in range(open_brace, len(text)):
        if text[index] == "{":
            depth += 1
        elif text[index] == "}":
            depth -= 1
            if depth == 0:
                return text[open_brace:index + 1]
    return None


def main():
    root = pathlib.Path(sys.argv[1])
    listing = "--list" in sys.argv[2:]
    sites = offenders = 0
    for path in sorted(root.rglob("*.cpp")) + sorted(root.rglob("*.h")):
        if "node_modules" in path.parts:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for match in THREAD_START.finditer(text):
            line_start = text.rfind("\n", 0, match.start()) + 1
            if text[line_start:match.start()].lstrip().startswith(NOT_A_START):
                continue
            # An executor's Submit takes its lambda as an argument; a call such
            # as contract.Submit("Create", options) passes none and starts no thread.
            # (The type names may precede their lambda by a statement or more:
            # std::vector<std::thread> threads; ... threads.emplace_back([&] {...}).)
            within = call_end(text, match.end() - 1) if match.group(1) == ".Submit(" else None
            body = lambda_body(text, match.end(), within)
            if body is None:
                continue
            sites += 1
            line = text.count("\n", 0, match.start()) + 1
            macros = sorted(set(m.group(1) for m in CATCH_MACRO.finditer(body)))
            if macros:
                offenders += 1
                print(f"{path}:{line}: {match.group(1)} body uses {', '.join(macros)}")
            elif listing:
                print(f"{path}:{line}: {match.group(1)}: no assertion")
    print(f"{sites} thread bodies checked, {offenders} with Catch2 assertions")
    return 1 if offenders else 0


if __name__ == "__main__":
    sys.exit(main())
