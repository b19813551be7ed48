"""Generate the desk's feedback sounds (short 16-bit mono WAVs) with the standard library.

Run ``python resources/sounds/make_sounds.py``; the WAVs are committed, this script is how
they were made. Each outcome has its own pattern, so an operator who is not looking at
the screen can tell them apart: rising = found, two equal = several matches, low buzz = not
found, falling = invalid, one short tick = repeat dropped, high double = applied, low
triple = update failed, a two-tone alarm = the window stopped receiving scans.
"""

from __future__ import annotations

import math
import struct
import sys
import wave
from pathlib import Path

RATE = 22050
HERE = Path(__file__).resolve().parent

# name -> list of (frequency Hz or 0 for silence, milliseconds)
PATTERNS: dict[str, list[tuple[float, int]]] = {
    "found": [(880, 70), (0, 15), (1320, 90)],
    "multiple": [(990, 80), (0, 50), (990, 80)],
    "not_found": [(220, 260)],
    "invalid": [(660, 90), (0, 20), (440, 90), (0, 20), (330, 120)],
    "repeated": [(1500, 35)],
    "applied": [(1480, 50), (0, 30), (1760, 60)],
    "failed": [(300, 100), (0, 50), (300, 100), (0, 50), (300, 100)],
    "not_in_front": [(1046, 110), (0, 40), (784, 110), (0, 40), (1046, 110), (0, 40), (784, 110)],
}


def tone(frequency: float, ms: int, volume: float = 0.45) -> bytes:
    count = int(RATE * ms / 1000)
    fade = max(1, int(RATE * 0.005))
    frames = bytearray()
    for i in range(count):
        envelope = min(1.0, i / fade, (count - i) / fade)
        sample = 0.0 if frequency == 0 else math.sin(2 * math.pi * frequency * i / RATE)
        frames += struct.pack("<h", int(sample * envelope * volume * 32767))
    return bytes(frames)


def write(name: str, pattern: list[tuple[float, int]], folder: Path = HERE) -> Path:
    path = folder / f"{name}.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(b"".join(tone(f, ms) for f, ms in pattern))
    return path


def main() -> int:
    for name, pattern in PATTERNS.items():
        print(write(name, pattern))
    return 0


if __name__ == "__main__":
    sys.exit(main())
