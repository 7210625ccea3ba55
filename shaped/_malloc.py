"""Keep freed array memory in the process for reuse (glibc only).

By default glibc hands large freed blocks back to the OS and faults them back in on the
next allocation: thousands of page faults per training step, measured at 1.8-2.3x slower
steps (../shared/PERF.md). Raising the mmap and trim thresholds keeps those blocks for
reuse. Set SHAPED_KEEP_MALLOC=1 to leave the allocator alone.
"""

from __future__ import annotations

import ctypes
import os
import sys

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_MMAP_THRESHOLD = 32 * 1024 * 1024  # glibc's ceiling for this setting on 64-bit
_TRIM_THRESHOLD = 512 * 1024 * 1024


def tune() -> bool:
    """Set the thresholds once; True when they were set."""
    if os.environ.get("SHAPED_KEEP_MALLOC") == "1" or not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # musl and other libcs have no mallopt
        return False
    return bool(mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD)) and bool(
        mallopt(_M_TRIM_THRESHOLD, _TRIM_THRESHOLD)
    )


TUNED = tune()
