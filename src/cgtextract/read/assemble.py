"""Assembly: drafts become validated events, one per real action."""

from __future__ import annotations

from collections import defaultdict

from cgtextract.models import Event
from cgtextract.read.document import DocState, Draft, Product, Why
from cgtextract.read.products import norm
from cgtextract.read.resolve import product_company, product_modality, product_target


def assemble(
    doc: DocState, products: dict[int, Product], drafts: list[Draft]
) -> list[tuple[Event, dict[str, Why]]]:
    """Merge restatements, attach product profiles, validate; each event with where each of
    its fields came from."""
    groups: dict[tuple[int, str, str], list[Draft]] = defaultdict(list)
    for d in drafts:
        groups[(d.product, d.regulator, d.designation or d.event_type)].append(d)
    events: list[tuple[Event, dict[str, Why]]] = []
    profiles: dict[int, tuple[str | None, bool | None, str | None, str | None]] = {}
    for key, p in products.items():
        mod, allo = product_modality(p)
        profiles[key] = (mod, allo, product_target(p, mod), product_company(doc, p))
    for (key, reg, _kind), group in groups.items():
        dated = [d for d in group if d.date and d.own_date]
        keep: list[Draft] = []
        by_date: dict[str, Draft] = {}
        for d in dated:
            by_date.setdefault(d.date or "", d)
        # 'on April 22, 2024' and later 'in April 2024': one act told at two precisions
        for coarse in list(by_date):
            if any(fine != coarse and fine.startswith(coarse + "-") for fine in by_date):
                del by_date[coarse]
        keep = list(by_date.values()) or [
            max(group, key=lambda d: (d.date is not None, -d.sentence.idx))
        ]
        # 'adds to the Fast Track designation the FDA previously granted for lupus nephritis':
        # an undated earlier grant beside the dated news is an act of its own
        earlier = [d for d in group if d.earlier and d.date is None and d not in keep]
        if earlier and by_date:
            keep.append(earlier[0])
        for d in keep:
            # the same grant told twice with its own date (three Fast Track designations on one
            # day for three diseases) unites its indications; a restatement only fills a gap
            inds: list[str] = []
            same_day = [d] + [x for x in group if x is not d and x.own_date and x.date == d.date]
            restated = [
                x for x in group if x not in same_day and (x.date is None or x.date == d.date)
            ]
            for g in same_day + ([] if any(x.indications for x in same_day) else restated):
                for i in g.indications:
                    if i.lower() not in {x.lower() for x in inds}:
                        inds.append(i)
                if inds and g not in same_day:
                    break
            mod, allo, target, company = profiles[key]
            p = products[key]
            aliases = [n for n in p.names if norm(n) != norm(d.surface)]
            # validation turns the plain values into the vocabularies' enums (and rejects
            # anything outside them)
            why = {**d.why, **p.why}
            for name, value in (("company", company), ("modality", mod), ("target", target)):
                if value is None:
                    why.pop(name, None)
            if allo is None:
                why.pop("allogeneic", None)
            if not inds:
                why.pop("indications", None)
            if d.designation and "event_type" in why:
                why["designation"] = why["event_type"]
            if d.date and "date" in why:
                why["date_precision"] = why["date"]
            if aliases:
                why["product_aliases"] = Why("resolve", "names_the_text_gives_as_one_product")
            why["evidence"] = Why(
                "assemble", "sentence_of_the_act", d.sentence.start, d.sentence.end
            )
            events.append(
                (
                    Event.model_validate(
                        dict(
                            source=doc.article.source,
                            company=company,
                            product=d.surface,
                            product_aliases=aliases,
                            target=target,
                            modality=mod,
                            allogeneic=allo,
                            regulator=reg,
                            event_type=d.event_type,
                            designation=d.designation,
                            date=d.date,
                            date_precision=d.precision,
                            indications=inds,
                            evidence=d.sentence.text,
                            published=doc.article.published,
                            evidence_start=d.sentence.start,
                            evidence_end=d.sentence.end,
                        )
                    ),
                    why,
                )
            )
    events.sort(key=lambda e: e[0].evidence_start or 0)
    return events
