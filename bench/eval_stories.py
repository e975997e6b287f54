"""Score story grouping and fact extraction on the hand-written sets (``make eval`` prints both).

    python -m bench.eval_stories [--orders 3] [--sweep] [--facts-only | --stories-only] [-v]

Stories (tests/data/eval/stories/): every base story, its variants (built by the operations in
stories.toml) and the look-alike articles of negatives.toml are written into a fresh archive
through ``Archive.record_page`` — the crawler's own write path — in a shuffled order (``--orders``
orders, pooled). Pairwise precision and recall over the archived articles: a pair is predicted
when the two articles got the same ``story_id``, true when they come from the same [[story]].
Exact copies (same content hash) are one article and are left out of the pairs.

Facts (tests/data/eval/facts/ and the inline labels of stories.toml): ``archive.facts.extract_facts``
against the labels, per kind (the figures alone; what each figure is — status, measure, period,
place — is scored on real text by bench/eval_facts.py). A predicted fact matches a label of the same kind and unit whose
span overlaps it and whose value is the same (and the same upper bound for ranges). Seed texts
(``../shared/seeds``) are read at eval time when the folder is there, skipped otherwise.

Figures are printed, never asserted. Results also go to ``bench/eval_stories_results.json``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import re
import sys
import tempfile
import time
import tomllib
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
STORIES = REPO / "tests" / "data" / "eval" / "stories"
FACTS = REPO / "tests" / "data" / "eval" / "facts"
SEEDS = REPO.parent / "shared" / "seeds"
RESULTS = REPO / "bench" / "eval_stories_results.json"

_MARK = re.compile(r"\[\[([^\[\]|]*)((?:\|[^\[\]|]*)*)\]\]")


def strip_markup(text: str) -> tuple[str, list[dict]]:
    """The plain text and its labelled facts: ``[[as written|kind|value|unit|qualifier|value_max]]``;
    ``[[as written]]`` alone is a figure that is not a fact (no label)."""
    out, labels, pos = [], [], 0
    length = 0
    for m in _MARK.finditer(text):
        out.append(text[pos:m.start()])
        length += m.start() - pos
        shown = m.group(1)
        fields = m.group(2).split("|")[1:] if m.group(2) else []
        if fields and fields[0]:
            kind = fields[0]
            value = float(fields[1]) if len(fields) > 1 and fields[1] else None
            unit = fields[2] if len(fields) > 2 and fields[2] else ("projects" if kind == "projects" else None)
            qual = fields[3] if len(fields) > 3 and fields[3] else None
            vmax = float(fields[4]) if len(fields) > 4 and fields[4] else None
            labels.append({"kind": kind, "start": length, "end": length + len(shown), "value": value,
                           "unit": unit, "qualifier": qual, "value_max": vmax, "text": shown})
        out.append(shown)
        length += len(shown)
        pos = m.end()
    out.append(text[pos:])
    return "".join(out), labels


def _paras(text: str) -> list[str]:
    return [p for p in text.strip().split("\n") if p.strip()]


def _s2t():
    import opencc

    return opencc.OpenCC("s2t")


def apply_ops(title: str, text: str, ops: list[str]) -> tuple[str, str]:
    """A variant of a story: the operations of stories.toml (README.md), in order."""
    paras = _paras(text)
    for op in ops:
        name, _, arg = op.partition(":")
        if name == "title":
            title = arg
        elif name == "top":
            paras.insert(0, arg)
        elif name == "bottom":
            paras.append(arg)
        elif name == "drop":
            paras.pop(int(arg))
        elif name == "swap":
            i = int(arg)
            paras[i], paras[i + 1] = paras[i + 1], paras[i]
        elif name == "trim":  # the last sentence of a paragraph goes
            i = int(arg)
            sentences = [s for s in re.split(r"(?<=。)", paras[i]) if s]
            paras[i] = "".join(sentences[:-1]) if len(sentences) > 1 else paras[i][: len(paras[i]) // 2]
        elif name == "trad":
            conv = _s2t()
            title, paras = conv.convert(title), [conv.convert(p) for p in paras]
        elif name == "digest":
            prefix, _, which = arg.partition("|")
            picked = [paras[int(i)] for i in which.split(",")]
            paras = [prefix + picked[0], *picked[1:]]
        else:
            raise ValueError(f"unknown operation {op!r}")
    return title, "\n".join(paras)


def story_items() -> tuple[list[dict], int]:
    """Every article of the stories set: id, label (the story it belongs to), title, text, region, how made."""
    items = []
    data = tomllib.loads((STORIES / "stories.toml").read_text("utf-8"))
    for st in data["story"]:
        text, _ = strip_markup(st["text"])
        text = "\n".join(_paras(text))
        items.append({"id": st["id"], "label": st["id"], "title": st["title"], "text": text,
                      "region": st["region"], "how": "base"})
        for k, var in enumerate(st.get("variants", []), 1):
            if "digest" in var:
                t, body = var.get("title", st["title"]), strip_markup(var["digest"])[0].strip()
                how = "digest (written)"
            else:
                t, body = apply_ops(st["title"], text, var["ops"])
                how = " ".join(o.split(":")[0] for o in var["ops"])
            items.append({"id": f"{st['id']}.{k}", "label": st["id"], "title": t, "text": body,
                          "region": st["region"], "how": how})
    neg = tomllib.loads((STORIES / "negatives.toml").read_text("utf-8"))
    pairs = 0
    for tpl in neg["template"]:
        fills = tpl["fills"]
        pairs += len(fills) * (len(fills) - 1) // 2
        for k, fill in enumerate(fills, 1):
            items.append({"id": f"{tpl['id']}.{k}", "label": f"{tpl['id']}.{k}",
                          "title": tpl["title"].format(**fill), "text": tpl["text"].strip().format(**fill),
                          "region": tpl["region"], "how": f"look-alike {tpl['id']}"})
    return items, pairs


def archive_items(items: list[dict], seed: int, db_dir: str) -> tuple[dict, float, int]:
    """Write the items in a shuffled order through ``Archive.record_page``; returns
    {item id: (content hash, story id)}, seconds spent, and how many were exact copies."""
    from archive.db import Archive, PageRecord
    from archive.normalize import content_hash, to_simplified

    order = list(items)
    random.Random(seed).shuffle(order)
    path = Path(db_dir) / f"stories_{seed}.db"
    result, copies = {}, 0
    started = time.perf_counter()
    with Archive.open(path) as archive:
        for i, it in enumerate(order):
            text = to_simplified(it["text"])  # what the pipeline archives
            h = content_hash(text)
            page = PageRecord(url=f"http://eval.example/{it['id']}", source="eval", status=200,
                              fetched_at=f"2024-01-01T00:{i // 60:02d}:{i % 60:02d}+08:00", outcome="archived")
            outcome = archive.record_page(page, {"content_hash": h, "title": to_simplified(it["title"]),
                                                 "text": text, "text_original": it["text"], "region": it["region"],
                                                 "outlet": it["id"].split(".")[0], "relevance": 10.0})
            copies += outcome == "duplicate"
            result[it["id"]] = h
        seconds = time.perf_counter() - started
        story = dict(archive.conn.execute("SELECT content_hash, story_id FROM articles"))
    return {k: (h, story[h]) for k, h in result.items()}, seconds, copies


def pair_scores(items: list[dict], assigned: dict) -> dict:
    """Pairwise TP/FP/FN over distinct articles (an exact copy counts once: its first item)."""
    seen, arts = set(), []
    for it in items:
        h, sid = assigned[it["id"]]
        if h in seen:
            continue
        seen.add(h)
        arts.append((it, sid))
    tp = fp = fn = 0
    errors = []
    for (a, sa), (b, sb) in itertools.combinations(arts, 2):
        same_true, same_pred = a["label"] == b["label"], sa == sb
        if same_true and same_pred:
            tp += 1
        elif same_pred:
            fp += 1
            errors.append(("merged", a["id"], b["id"], a["how"], b["how"]))
        elif same_true:
            fn += 1
            errors.append(("split", a["id"], b["id"], a["how"], b["how"]))
    return {"tp": tp, "fp": fp, "fn": fn, "articles": len(arts), "errors": errors}


def _pr(tp: int, fp: int, fn: int) -> tuple[float, float]:
    return (tp / (tp + fp) if tp + fp else 1.0), (tp / (tp + fn) if tp + fn else 1.0)


def eval_stories(orders: int = 3, verbose: bool = False, quiet: bool = False) -> dict:
    items, neg_pairs = story_items()
    stories = Counter(it["label"] for it in items if not it["how"].startswith("look-alike"))
    total = Counter()
    per_order, seconds, copies = [], 0.0, 0
    errors = Counter()
    with tempfile.TemporaryDirectory() as d:
        for seed in range(orders):
            assigned, secs, cp = archive_items(items, seed, d)
            s = pair_scores(items, assigned)
            seconds += secs
            copies += cp
            per_order.append(_pr(s["tp"], s["fp"], s["fn"]))
            for k in ("tp", "fp", "fn"):
                total[k] += s[k]
            for e in s["errors"]:
                errors[e] += 1
    p, r = _pr(total["tp"], total["fp"], total["fn"])
    res = {"stories": len(stories), "variants": sum(stories.values()) - len(stories),
           "look_alike_articles": sum(1 for it in items if it["how"].startswith("look-alike")),
           "look_alike_pairs": neg_pairs, "articles": len(items), "orders": orders,
           "exact_copies_per_order": copies / orders, **dict(total), "precision": p, "recall": r,
           "precision_min": min(x[0] for x in per_order), "recall_min": min(x[1] for x in per_order),
           "ms_per_article": 1000 * seconds / (orders * len(items)),
           "errors": [list(e) + [n] for e, n in errors.most_common()]}
    if not quiet:
        print(f"\nStories: {res['stories']} stories with {res['variants']} variants, "
              f"{res['look_alike_articles']} look-alike articles ({neg_pairs} pairs that must stay apart); "
              f"{orders} archive orders, {res['exact_copies_per_order']:.0f} exact copies per order (one article)")
        rows = [("pairwise precision", p, res["precision_min"]), ("pairwise recall", r, res["recall_min"])]
        print(f"  {'measure':<20} {'pooled':>8} {'worst order':>12}  target")
        for (name, v, worst), target in zip(rows, (0.99, 0.95)):
            print(f"  {name:<20} {v:>8.3f} {worst:>12.3f}  ≥ {target}")
        print(f"  pairs: {total['tp']} found, {total['fp']} wrongly merged, {total['fn']} missed (over all orders);"
              f" {res['ms_per_article']:.1f} ms per archived article (record_page, all included)")
        if verbose or errors:
            for e, n in errors.most_common(12 if not verbose else None):
                print(f"    {e[0]:<6} {e[1]:<8} {e[2]:<8} ({e[3]} / {e[4]}) x{n}")
    return res


def sweep(orders: int = 2) -> list[dict]:
    """Precision and recall for other thresholds (the trade-off documented in docs/schema.md)."""
    from archive import stories

    keep = (stories.JACCARD, stories.CONTAINMENT, stories.FIGURES, stories.CLAUSE_MIN)
    rows = []
    grid = [(j, c, f, stories.CLAUSE_MIN) for j in (0.3, 0.5, 0.7) for c in (0.5, 0.6, 0.7, 0.8, 0.9, 1.01)
            for f in (0.5, 0.0)]
    grid.append((keep[0], keep[1], keep[2], 10**6))  # no clause keys: LSH bands alone find the candidates
    try:
        for j, c, f, cm in grid:
            stories.JACCARD, stories.CONTAINMENT, stories.FIGURES, stories.CLAUSE_MIN = j, c, f, cm
            r = eval_stories(orders, quiet=True)
            rows.append({"jaccard": j, "containment": c, "figures": f, "clause_keys": cm < 10**6,
                         "precision": r["precision"], "recall": r["recall"]})
    finally:
        stories.JACCARD, stories.CONTAINMENT, stories.FIGURES, stories.CLAUSE_MIN = keep
    print("\nThreshold sweep (pooled pairwise precision / recall; containment 1.01 = containment unused,"
          " figures 0.0 = figures check off):")
    print(f"  {'Jaccard':>7} {'contain':>7} {'figures':>7} {'clauses':>7} {'precision':>9} {'recall':>7}")
    for x in rows:
        print(f"  {x['jaccard']:>7} {x['containment']:>7} {x['figures']:>7} {'yes' if x['clause_keys'] else 'no':>7}"
              f" {x['precision']:>9.3f} {x['recall']:>7.3f}")
    return rows


# --- facts ----------------------------------------------------------------------------------------
def seed_text(path: Path) -> str:
    """A seed text as the figure rules read it (archive/facts/text.py: residue removed, Simplified)."""
    from archive.facts.text import read

    return read(path.read_text("utf-8")).text


def fact_docs() -> tuple[list[dict], list[str]]:
    """Labelled texts: {id, text, labels}; and notes (seeds skipped or changed)."""
    from archive.facts.text import read

    docs, notes = [], []
    data = tomllib.loads((STORIES / "stories.toml").read_text("utf-8"))
    for st in data["story"]:
        raw = "\n".join(_paras(st["text"]))
        text, labels = strip_markup(raw)
        docs.append({"id": st["id"], "text": text, "labels": labels})
    for f in sorted(FACTS.glob("*.toml")):
        if f.name == "seeds.toml":
            continue
        for t in tomllib.loads(f.read_text("utf-8"))["text"]:
            text, labels = strip_markup("\n".join(_paras(t["text"])))
            docs.append({"id": t["id"], "text": text, "labels": labels})
    from bench.eval_facts import seed_docs

    seeds, seed_notes = seed_docs()
    notes += seed_notes
    for s in seeds:
        # labels are offsets into the file as given; the rules read it without residue, in Simplified
        reading = read(s["text"])
        at = {given: i for i, given in enumerate(reading.offsets)}
        labels = []
        for x in s["labels"]:
            start = at[x["start"]]
            end = at[x["start"] + len(x["text"]) - 1] + 1
            labels.append({"kind": x["kind"], "start": start, "end": end, "value": float(x["value"]),
                           "unit": x["unit"], "qualifier": x.get("qualifier"), "value_max": x.get("value_max"),
                           "text": reading.text[start:end]})
        docs.append({"id": s["file"], "text": reading.text, "labels": labels})
    return docs, notes


def _match(p, lab) -> bool:
    if p.kind != lab["kind"] or p.unit != lab["unit"]:
        return False
    if not (p.start < lab["end"] and lab["start"] < p.end):
        return False
    if lab["value"] is None or abs(float(p.value) - lab["value"]) > 1e-6 * max(1.0, abs(lab["value"])):
        return False
    pm = float(p.value_max) if p.value_max is not None else None
    return (pm is None and lab["value_max"] is None) or (
        pm is not None and lab["value_max"] is not None and abs(pm - lab["value_max"]) <= 1e-6 * abs(lab["value_max"]))


def eval_facts(verbose: bool = False) -> dict:
    from archive.facts import extract_facts

    docs, notes = fact_docs()
    counts = {k: Counter() for k in ("money", "projects", "growth", "other_money")}
    misses = []
    measured = Counter()
    for d in docs:
        preds = extract_facts(d["text"])
        used = set()
        for p in preds:
            hit = next((i for i, lab in enumerate(d["labels"]) if i not in used and _match(p, lab)), None)
            c = counts.setdefault(p.kind, Counter())
            if hit is None:
                c["fp"] += 1
                misses.append(("extra", d["id"], p.kind, p.text, p.value, p.unit))
            else:
                used.add(hit)
                c["tp"] += 1
                measured[p.kind] += p.wording is not None
        for i, lab in enumerate(d["labels"]):
            if i not in used:
                counts.setdefault(lab["kind"], Counter())["fn"] += 1
                misses.append(("missed", d["id"], lab["kind"], lab["text"], lab["value"], lab["unit"]))
    res = {"documents": len(docs), "notes": notes, "kinds": {}, "misses": misses}
    print(f"\nFacts: {len(docs)} labelled texts, {sum(len(d['labels']) for d in docs)} facts")
    for n in notes:
        print(f"  note: {n}")
    print(f"  {'kind':<10} {'labelled':>8} {'found':>6} {'precision':>9} {'recall':>7} {'with measure':>12}  target")
    for kind, c in counts.items():
        p, r = _pr(c["tp"], c["fp"], c["fn"])
        res["kinds"][kind] = {**dict(c), "precision": p, "recall": r}
        print(f"  {kind:<10} {c['tp'] + c['fn']:>8} {c['tp'] + c['fp']:>6} {p:>9.3f} {r:>7.3f} "
              f"{measured[kind]:>12}  ≥ 0.95")
    if misses and (verbose or len(misses) <= 15):
        for m in misses:
            print(f"    {m[0]:<6} {m[1]:<28} {m[2]:<8} {m[3]!r} {m[4]} {m[5]}")
    return res


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--orders", type=int, default=3, help="archive orders to pool (default 3)")
    ap.add_argument("--sweep", action="store_true", help="also print the threshold trade-off")
    ap.add_argument("--stories-only", action="store_true")
    ap.add_argument("--facts-only", action="store_true")
    ap.add_argument("--output", type=Path, default=RESULTS)
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(REPO))
    results = {}
    if not args.facts_only:
        results["stories"] = eval_stories(args.orders, args.verbose)
        if args.sweep:
            results["sweep"] = sweep()
    if not args.stories_only:
        results["facts"] = eval_facts(args.verbose)
    args.output.write_text(json.dumps(results, ensure_ascii=False, indent=1, default=str) + "\n", "utf-8")
    print(f"\nresults written to {args.output.relative_to(REPO) if args.output.is_relative_to(REPO) else args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
