#!/usr/bin/env python3
"""A pseudo-terminal standing in for a UART, for the serial-line tests.

Opens a pty pair, points the symlink given as argv[1] at its slave side (the
"device" the gateway's [[serial]] table names), prints the slave's name, then
relays bytes between its own stdin/stdout and the master side, each way at
about argv[2] bytes per second (0: as fast as they come), as a slow serial
line would carry them (a pty ignores the baud rate). It exits when stdin
closes; closing the master is what unplugging a USB adapter looks like to the
gateway.
"""
import os
import select
import sys
import time


def main():
    link, rate = sys.argv[1], float(sys.argv[2])
    master, slave = os.openpty()
    name = os.ttyname(slave)
    # Only the gateway keeps the slave open: when this process ends the
    # device is gone.
    os.close(slave)
    tmp = link + ".new"
    if os.path.lexists(tmp):
        os.unlink(tmp)
    os.symlink(name, tmp)
    os.replace(tmp, link)
    sys.stdout.buffer.write((name + "\n").encode())
    sys.stdout.flush()
    out = sys.stdout.fileno()
    inp = sys.stdin.fileno()
    to_line = bytearray()
    step = 1 if rate == 0 else max(1.0 / rate, 0.0)
    next_write = next_read = time.monotonic()
    stdin_open = True
    while stdin_open or to_line:
        now = time.monotonic()
        waits = []
        rlist = [master]
        if stdin_open:
            rlist.append(inp)
        wlist = [master] if to_line and now >= next_write else []
        if rate and to_line and now < next_write:
            waits.append(next_write - now)
        if rate and now < next_read:
            rlist.remove(master)
            waits.append(next_read - now)
        timeout = min(waits) if waits else None
        try:
            r, w, _ = select.select(rlist, wlist, [], timeout)
        except InterruptedError:
            continue
        if inp in r:
            chunk = os.read(inp, 4096)
            if not chunk:
                stdin_open = False
            to_line += chunk
        if master in w:
            n = len(to_line) if rate == 0 else max(1, int(rate / 10))
            try:
                sent = os.write(master, bytes(to_line[:n]))
            except OSError:
                break
            del to_line[:sent]
            if rate:
                next_write = time.monotonic() + sent / rate
        if master in r:
            n = 4096 if rate == 0 else max(1, int(rate / 10))
            try:
                chunk = os.read(master, n)
            except OSError:
                chunk = b""  # the slave side is not open (yet, or any more)
                time.sleep(0.01)
            if chunk:
                os.write(out, chunk)
                if rate:
                    next_read = time.monotonic() + len(chunk) / rate
    os.close(master)


if __name__ == "__main__":
    main()
