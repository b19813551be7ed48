"""Keep ``returndesk_<lang>.ts`` in step with the ``tr(...)`` calls in ``ui/``.

Each ui module makes ``tr = make_tr("Context")`` (any name works: ``_names_tr = make_tr(...)``);
this script finds those assignments and every call of them with a literal text (Python's
``ast``, so nothing is imported), then rewrites the catalogue: existing translations are
kept, new texts are added as ``unfinished``, texts no longer used are dropped.

    python resources/translations/update_ts.py            # update returndesk_zh_CN.ts
    python resources/translations/update_ts.py --check    # exit 1 if anything is missing

Compile with ``pyside6-lrelease returndesk_zh_CN.ts -qm returndesk_zh_CN.qm`` (the app also
does it on first run when the .qm is missing or older than the .ts).
"""

from __future__ import annotations

import argparse
import ast
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from xml.sax.saxutils import escape

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
UI = ROOT / "ui"

Message = tuple[str, str, str | None]  # context, source, disambiguation


def extract(folder: Path = UI) -> list[tuple[Message, str]]:
    """(context, text, disambiguation) and "file:line" for every tr call, in source order."""
    found: list[tuple[Message, str]] = []
    seen: set[Message] = set()
    for path in sorted(folder.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        contexts: dict[str, str] = {}
        for node in tree.body:
            if (isinstance(node, ast.Assign) and len(node.targets) == 1
                    and isinstance(node.targets[0], ast.Name)
                    and isinstance(node.value, ast.Call)
                    and isinstance(node.value.func, ast.Name) and node.value.func.id == "make_tr"
                    and node.value.args and isinstance(node.value.args[0], ast.Constant)):
                contexts[node.targets[0].id] = str(node.value.args[0].value)
        if not contexts:
            continue
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in contexts and node.args):
                continue
            first = node.args[0]
            if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                continue
            disambiguation = None
            if len(node.args) > 1 and isinstance(node.args[1], ast.Constant):
                disambiguation = node.args[1].value
            message = (contexts[node.func.id], first.value, disambiguation)
            if message not in seen:
                seen.add(message)
                found.append((message, f"{path.relative_to(ROOT).as_posix()}:{node.lineno}"))
    return found


def read_ts(path: Path) -> dict[Message, str]:
    if not path.exists():
        return {}
    translations: dict[Message, str] = {}
    for context in ET.parse(path).getroot().iter("context"):  # noqa: S314 - our own file
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            source = message.findtext("source") or ""
            comment = message.findtext("comment")
            element = message.find("translation")
            if element is not None and element.text and element.get("type") != "unfinished":
                translations[(name, source, comment)] = element.text
    return translations


def write_ts(path: Path, language: str, messages: list[tuple[Message, str]],
             translations: dict[Message, str]) -> list[Message]:
    """Write the catalogue; returns the messages still without a translation."""
    by_context: dict[str, list[tuple[Message, str]]] = {}
    for message, where in messages:
        by_context.setdefault(message[0], []).append((message, where))
    missing: list[Message] = []
    lines = ['<?xml version="1.0" encoding="utf-8"?>', "<!DOCTYPE TS>",
             f'<TS version="2.1" language="{language}" sourcelanguage="en">']
    for context in sorted(by_context):
        lines += ["<context>", f"    <name>{escape(context)}</name>"]
        for message, where in by_context[context]:
            file, line = where.rsplit(":", 1)
            lines.append("    <message>")
            lines.append(f'        <location filename="../../{escape(file)}" line="{line}"/>')
            lines.append(f"        <source>{escape(message[1])}</source>")
            if message[2]:
                lines.append(f"        <comment>{escape(message[2])}</comment>")
            text = translations.get(message)
            if text:
                lines.append(f"        <translation>{escape(text)}</translation>")
            else:
                missing.append(message)
                lines.append('        <translation type="unfinished"></translation>')
            lines.append("    </message>")
        lines.append("</context>")
    lines.append("</TS>")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return missing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--language", default="zh_CN")
    parser.add_argument("--check", action="store_true", help="report missing translations, change nothing")
    args = parser.parse_args(argv)
    path = HERE / f"returndesk_{args.language}.ts"
    messages = extract()
    translations = read_ts(path)
    if args.check:
        missing = [m for m, _ in messages if m not in translations]
        for context, source, _ in missing:
            print(f"missing [{context}] {source}")
        return 1 if missing else 0
    missing = write_ts(path, args.language, messages, translations)
    print(f"{path.name}: {len(messages)} messages, {len(missing)} without a translation")
    return 0


if __name__ == "__main__":
    sys.exit(main())
