"""Score the facts of real text (``make eval``): the seed articles and the labelled real passages.

    python -m bench.eval_facts [-v] [--split dev|held-out|all]

Sets (both outside the repository, read at eval time; their texts are never copied into it):
- ``../shared/seeds/``: five real articles, labelled in tests/data/eval/facts/seeds.toml;
- ``../shared/facts_real/passages.json``: real passages with their labels (its README gives the
  definitions). Every third passage (index 2, 5, 8 … in file order) is **held out**: the rules were
  tuned on the errors of the others only (the held-out errors were never listed while developing);
  both parts are reported. All 19 passages were read once, with their labels, before the split was
  made, so the held-out part is not unseen text: the real test is passages the project never saw.

Each text goes through ``archive.facts.analyse`` — what ``python -m archive facts`` prints — with the
text as given (Traditional, pinyin residue and all), the publication date and the source region
when the set gives them. A predicted money or projects fact matches a label of the same kind and
unit whose span overlaps it and whose value is the same. Per kind: precision and recall; over the
matched facts: accuracy of status, measure, period (the wording, Traditional and Simplified taken as
equal) and place (the same wording, or two words that resolve to the same unit of the gazetteer).
Figures are printed, never asserted; results also go to ``bench/eval_facts_results.json``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tomllib
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
SEEDS = SHARED / "seeds"
PASSAGES = SHARED / "facts_real" / "passages.json"
SEED_LABELS = REPO / "tests" / "data" / "eval" / "facts" / "seeds.toml"
RESULTS = REPO / "bench" / "eval_facts_results.json"
KINDS = ("money", "projects")
FIELDS = ("status", "measure", "period", "place")
TARGETS = {"precision": 0.95, "recall": 0.95, "status": 0.90, "measure": 0.90, "period": 0.90}


def held_out(index: int) -> bool:
    """Every third passage, in file order, is held out of development."""
    return index % 3 == 2


def seed_docs() -> tuple[list[dict], list[str]]:
    """The seed texts with their labels; notes for seeds missing or changed."""
    docs, notes = [], []
    if not SEEDS.is_dir():
        return docs, [f"seed texts not found at {SEEDS}: skipped"]
    for s in tomllib.loads(SEED_LABELS.read_text("utf-8"))["seed"]:
        path = SEEDS / s["file"]
        if not path.is_file():
            notes.append(f"{s['file']}: missing, skipped")
            continue
        raw = path.read_bytes()
        if hashlib.sha256(raw).hexdigest() != s["sha256"]:
            notes.append(f"{s['file']}: changed since labelling, skipped")
            continue
        labels = [{**x, "char_start": x["start"]} for x in s["facts"]]
        docs.append({"id": s["file"][:3], "file": s["file"], "text": raw.decode("utf-8"), "published": s.get("published"),
                     "region": s.get("region"), "labels": labels})
    return docs, notes


def passage_docs() -> tuple[list[dict], list[str]]:
    if not PASSAGES.is_file():
        return [], [f"{PASSAGES} not found: skipped"]
    docs = []
    for i, p in enumerate(json.loads(PASSAGES.read_text("utf-8"))):
        docs.append({"id": p["id"], "text": p["text"], "published": p.get("published"), "region": None,
                     "labels": p["facts"], "held_out": held_out(i)})
    return docs, []


def _simple(s: str | None) -> str | None:
    from archive.normalize import to_simplified

    return to_simplified(s).strip() if s else None


def _place_key(word: str | None, region: str | None):
    """A place word as the unit it names when the gazetteer resolves all of it, else its wording
    (我市, 本市 and 全市 are one word; 中山市 and 中山 too)."""
    if not word:
        return None
    from archive.facts.placing import find_places

    w = _simple(word)
    if len(w) == 2 and w[0] in "我本全":
        w = "全" + w[1]
    if region is None and len(w) > 2 and w[-1] in "市区县省":
        w = w[:-1]
    found = find_places(w, region)
    if len(found) == 1 and found[0].start == 0 and found[0].end == len(w) and found[0].adcode:
        return found[0].adcode
    return w


def _same(field: str, pred, lab, region) -> bool:
    if field == "period":
        return _simple(pred) == _simple(lab)
    if field == "place":
        return pred == lab or _place_key(pred, region) == _place_key(lab, region)
    return pred == lab


def score(docs: list[dict], verbose: bool = False) -> dict:
    from archive.facts import analyse

    counts = {k: Counter() for k in KINDS}
    fields = {f: Counter() for f in FIELDS}
    errors = []
    for d in docs:
        preds = [f for f in analyse(d["text"], d["published"], d["region"]) if f.kind in KINDS]
        used = set()
        for p in preds:
            hit = None
            for i, lab in enumerate(d["labels"]):
                if i in used or lab["kind"] != p.kind or lab["unit"] != p.unit:
                    continue
                ls, le = lab["char_start"], lab["char_start"] + len(lab["text"])
                if p.start < le and ls < p.end and abs(float(p.value) - float(lab["value"])) <= 1e-6 * max(
                        1.0, abs(float(lab["value"]))):
                    hit = i
                    break
            if hit is None:
                counts[p.kind]["fp"] += 1
                errors.append((d["id"], "extra", p.kind, p.text, p.start))
                continue
            used.add(hit)
            counts[p.kind]["tp"] += 1
            lab = d["labels"][hit]
            for f in FIELDS:
                ok = _same(f, getattr(p, f), lab.get(f), d["region"])
                fields[f]["right" if ok else "wrong"] += 1
                if not ok:
                    errors.append((d["id"], f, p.kind, p.text, p.start, getattr(p, f), lab.get(f)))
        for i, lab in enumerate(d["labels"]):
            if i not in used and lab["kind"] in KINDS:
                counts[lab["kind"]]["fn"] += 1
                errors.append((d["id"], "missed", lab["kind"], lab["text"], lab["char_start"]))
    res = {"texts": len(docs), "labels": sum(1 for d in docs for x in d["labels"] if x["kind"] in KINDS),
           "kinds": {}, "fields": {}, "errors": errors}
    for k, c in counts.items():
        tp, fp, fn = c["tp"], c["fp"], c["fn"]
        res["kinds"][k] = {"labelled": tp + fn, "found": tp + fp, "tp": tp,
                           "precision": tp / (tp + fp) if tp + fp else 1.0, "recall": tp / (tp + fn) if tp + fn else 1.0}
    tp = sum(c["tp"] for c in counts.values())
    fp = sum(c["fp"] for c in counts.values())
    fn = sum(c["fn"] for c in counts.values())
    res["kinds"]["both"] = {"labelled": tp + fn, "found": tp + fp, "tp": tp,
                            "precision": tp / (tp + fp) if tp + fp else 1.0, "recall": tp / (tp + fn) if tp + fn else 1.0}
    for f, c in fields.items():
        n = c["right"] + c["wrong"]
        res["fields"][f] = {"right": c["right"], "matched": n, "accuracy": c["right"] / n if n else None}
    return res


def print_table(name: str, res: dict) -> None:
    print(f"\n{name}: {res['texts']} texts, {res['labels']} money/projects facts labelled")
    print(f"  {'kind':<9} {'labelled':>8} {'found':>6} {'precision':>9} {'recall':>7}")
    for k, v in res["kinds"].items():
        print(f"  {k:<9} {v['labelled']:>8} {v['found']:>6} {v['precision']:>9.3f} {v['recall']:>7.3f}")
    print(f"  {'field':<9} {'right/matched':>14} {'accuracy':>9}  target")
    for f, v in res["fields"].items():
        acc = f"{v['accuracy']:.3f}" if v["accuracy"] is not None else "-"
        target = f"≥ {TARGETS[f]:.2f}" if f in TARGETS else "(none)"
        print(f"  {f:<9} {v['right']:>6}/{v['matched']:<7} {acc:>9}  {target}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--split", choices=("all", "dev", "held-out"), default="all",
                    help="which passages to print errors of with -v (default all; the tables show every part)")
    ap.add_argument("-v", "--verbose", action="store_true", help="list every error")
    ap.add_argument("--output", type=Path, default=RESULTS)
    args = ap.parse_args(argv)
    sys.path.insert(0, str(REPO))
    seeds, notes = seed_docs()
    passages, notes2 = passage_docs()
    for n in notes + notes2:
        print(f"note: {n}")
    sets = {"seeds (../shared/seeds)": seeds,
            "real passages, all (../shared/facts_real)": passages,
            "real passages, development part": [d for d in passages if not d["held_out"]],
            "real passages, held-out part (every third)": [d for d in passages if d["held_out"]]}
    results = {}
    for name, docs in sets.items():
        if not docs:
            continue
        res = score(docs)
        results[name] = res
        print_table(name, res)
    if args.verbose:
        show = {"all": lambda d: True, "dev": lambda d: not d.get("held_out"),
                "held-out": lambda d: d.get("held_out")}[args.split]
        ids = {d["id"] for d in seeds + passages if show(d)}
        for name in ("seeds (../shared/seeds)", "real passages, all (../shared/facts_real)"):
            for e in results.get(name, {}).get("errors", []):
                if e[0] in ids:
                    print("   ", *e)
    args.output.write_text(json.dumps(results, ensure_ascii=False, indent=1, default=str) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
