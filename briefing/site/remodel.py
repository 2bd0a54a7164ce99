"""The model of an edited corpus made from the last model: only what the edits touch is made again.

``model.build_site`` derives every listing, count and timeline entry from all the articles
(~1 s at 2,000 articles, ~6 s at 10,000). An edit of an article's front matter (its regions,
topics, events, date, people ...), a new article or a deleted one changes the records of the
entities those articles name, before and after the edit, and the timeline entries of the
dates their events fall on; nothing else. ``remodel`` takes the last model and makes exactly
the model ``build_site`` would make of the new corpus (a tested property): counts move by
the old and new versions' contributions, lists lose and gain them, the touched dates' events
are merged into entries again, the touched entities are made with the functions
``build_site`` uses, and the fingerprints of everything else are kept.
"""

from __future__ import annotations

import bisect
import dataclasses
from collections import Counter, defaultdict
from types import MappingProxyType
from typing import Iterable, Mapping

from briefing.site import model, urls
from briefing.site.load import ArticleSource
from briefing.site.model import Article, ArticleEvent, Entry, Site

MOST_CHANGED = 64   # more changed articles than this: a full build is as quick


def remodel(site: Site, sources: list[ArticleSource], vocab, *, related_ahead=None) -> Site | None:
    """The model of ``sources`` (the whole new corpus, made with the same vocabularies as
    ``site``), from ``site``; None when a full build is the better way: many articles
    changed, or a new article's slug clashes (``build_site`` reports it)."""
    old_by_slug = site.by_slug
    new_src = {src.slug: src for src in sources}
    if len(new_src) != len(sources):
        return None
    changed = [src for src in sources if src.slug not in old_by_slug or old_by_slug[src.slug].src is not src]
    removed = [slug for slug in old_by_slug if slug not in new_src]
    if not changed and not removed:
        return site
    if len(changed) + len(removed) > MOST_CHANGED:
        return None
    added = [src for src in changed if src.slug not in old_by_slug]
    if added and len({urls.segment(slug) for slug in new_src}) != len(new_src):
        return None
    model.check_ids(changed, vocab)
    return _Remodel(site, vocab, changed, removed).site(related_ahead)


class _Remodel:
    """One remodelling: the old versions of the changed articles (``old``), their new
    versions (``fresh``), and what follows from them, kind by kind."""

    def __init__(self, site: Site, vocab, changed: list[ArticleSource], removed: list[str]):
        self.last, self.vocab = site, vocab
        self.old: dict[str, Article] = {s: site.by_slug[s] for s in [c.slug for c in changed] + removed
                                        if s in site.by_slug}
        self.fresh: dict[str, Article] = {src.slug: model.make_article(src) for src in changed}
        self.gone_slugs = set(self.old) | set(self.fresh)   # whose old contributions are replaced
        self.removed = removed
        self.ancestors = model.ancestry(vocab)
        self._pair()

    def _pair(self) -> None:
        """(old version or None, new version or None) of each changed article."""
        self.pairs = [(self.old.get(slug), art) for slug, art in self.fresh.items()]
        self.pairs += [(self.old[slug], None) for slug in self.removed]

    @staticmethod
    def placed_anew(old: Article | None, new: Article | None) -> bool:
        """Whether the article comes, goes or moves in the listings (its date changed)."""
        return old is None or new is None or old.sort_key != new.sort_key

    def _touched(self, old: Article | None, new: Article | None, part) -> set:
        """The ids ``part(article)`` gives for both versions when the article is placed anew,
        else those only one version has."""
        before = part(old) if old is not None else set()
        after = part(new) if new is not None else set()
        return before | after if self.placed_anew(old, new) else before ^ after

    # --- articles and timeline entries -------------------------------------------------------
    def _entries(self) -> None:
        """Merge the events of the dates where an article's events differ again."""
        last = self.last
        touched: set[tuple] = set()
        for old, new in self.pairs:
            if old is None or new is None or old.src.script != new.src.script:   # (the script: their sentences)
                touched.update(model.date_key(ev) for art in (old, new) if art is not None for ev in art.src.events)
            else:
                touched.update(model.date_key(ev) for ev in set(old.src.events) ^ set(new.src.events))
        by_date: dict[tuple, list[Entry]] = {}
        self.gone_entries: list[Entry] = []
        for e in last.entries:
            key = model.date_key(e)
            if key in touched:
                self.gone_entries.append(e)
            else:
                by_date.setdefault(key, []).append(e)
        events: dict[tuple, list] = defaultdict(list)
        for e in self.gone_entries:
            for x in e.sources:
                if x.slug not in self.gone_slugs:
                    art = last.by_slug[x.slug]
                    events[model.date_key(art.src.events[x.event_index])].append((art, art.src.events[x.event_index]))
        for art in self.fresh.values():
            for ev in art.src.events:
                if model.date_key(ev) in touched:
                    events[model.date_key(ev)].append((art, ev))
        owner: dict[tuple[str, int], str] = {}
        self.new_entries: list[Entry] = []
        for key, items in events.items():
            made = model.entries_of_date(key, items, owner)
            by_date[key] = made
            self.new_entries.extend(made)
        self.entries = [e for key in sorted(by_date, key=model.date_order) for e in by_date[key]]
        self.by_entry = {e.key: e for e in self.entries}
        self.gone_keys = {e.key for e in self.gone_entries}
        self.entry_order = {e.key: i for i, e in enumerate(self.entries)}

        # the articles whose events now belong to other entries get their keys again
        self.rekeyed: dict[str, Article] = {}
        for slug in {x.slug for e in self.gone_entries for x in e.sources} - self.gone_slugs:
            art = last.by_slug[slug]
            events_now = tuple(ArticleEvent(e.rec, owner.get((slug, e.rec.index), e.entry), e.sentence)
                               for e in art.events)
            if events_now != art.events:
                self.rekeyed[slug] = dataclasses.replace(art, events=events_now)
        for slug, art in self.fresh.items():   # an event not merged again is the old version's same event
            kept = self.old[slug].events if slug in self.old else ()
            self.fresh[slug] = dataclasses.replace(art, events=tuple(
                ArticleEvent(e.rec, owner.get((slug, e.rec.index)) or kept[e.rec.index].entry, e.sentence)
                for e in art.events))
        self._pair()
        # the changed articles whose events (or their entries) differ from the old version's
        self.events_moved = {(old or new).slug for old, new in self.pairs
                             if old is None or new is None or old.events != new.events}

    def _articles(self) -> None:
        last = self.last
        by_slug = dict(last.by_slug)
        for slug in self.removed:
            del by_slug[slug]
        by_slug.update(self.rekeyed)
        by_slug.update(self.fresh)
        same_order = not self.removed and all(slug in self.old and self.old[slug].sort_key == art.sort_key
                                              for slug, art in self.fresh.items())
        if same_order:
            articles = [by_slug[a.slug] for a in last.articles]
        else:
            articles = sorted(by_slug.values(), key=lambda a: a.sort_key, reverse=True)
        self.articles = articles
        self.same_order = same_order
        self.by_slug = {a.slug: a for a in articles}
        self.order = {a.slug: i for i, a in enumerate(articles)}

    def chronological(self, keys: Iterable[str]) -> tuple[str, ...]:
        return tuple(sorted(set(keys), key=self.entry_order.__getitem__))

    def _kept_slugs(self, slugs: Iterable[str]) -> set[str]:
        """``slugs`` (an old listing) without the changed articles."""
        return set(slugs) - self.gone_slugs

    def newest_first_from(self, listing: tuple[str, ...], added: Iterable[str]) -> tuple[str, ...]:
        """An old listing (newest first) without the changed articles, with ``added`` in place."""
        gone = self.gone_slugs
        return _merged([s for s in listing if s not in gone], added, self.order.__getitem__)

    def chronological_from(self, keys: tuple[str, ...], added: Iterable[str]) -> tuple[str, ...]:
        """Old entry keys (chronological) without the entries made again, with ``added`` in place."""
        gone = self.gone_keys
        return _merged([k for k in keys if k not in gone], added, self.entry_order.__getitem__)

    # --- initiatives ---------------------------------------------------------------------
    def _initiatives(self) -> None:
        last, vocab = self.last, self.vocab
        dirty = {iid for old, new in self.pairs for iid in self._touched(old, new, lambda a: _ids(a.src.initiatives))}
        dirty.update(i for e in (*self.gone_entries, *self.new_entries) for i in e.initiatives)
        lists: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
        for iid in dirty:
            info = last.initiatives.get(iid)
            lists[iid] = (
                self.newest_first_from(info.articles if info else (), [
                    slug for slug, art in self.fresh.items() if any(r.id == iid for r in art.src.initiatives)]),
                self.chronological_from(info.entries if info else (), [
                    e.key for e in self.new_entries if iid in e.initiatives]))
        own = {iid for iid, info in last.initiatives.items() if iid not in dirty and (info.articles or info.entries)}
        own.update(iid for iid, (articles, entries) in lists.items() if articles or entries)
        ids = model.initiative_closure(vocab, own)
        self.initiative_ids = ids
        self.initiatives_moved = ids ^ set(last.initiatives)   # initiatives with a page now or no more
        table = {}
        for iid in sorted(ids):
            old = last.initiatives.get(iid)
            if iid in lists or old is None:   # (a kept one's parent keeps its page: see initiative_closure)
                articles, entries = lists.get(iid) or ((), ())
                table[iid] = model.initiative_info(vocab, iid, ids, articles, entries)
            else:
                table[iid] = old
        self.initiatives = table

    # --- regions -------------------------------------------------------------------------
    def _regions(self) -> None:
        last, vocab, ancestors = self.last, self.vocab, self.ancestors
        # what the old versions took away and the new ones bring, region by region
        dirty: set[str] = set()
        direct_delta: Counter[str] = Counter()
        topics_delta: dict[str, Counter[str]] = defaultdict(Counter)
        articles_added: dict[str, set[str]] = defaultdict(set)
        figures_added: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for sign, versions in ((-1, self.old.values()), (1, self.fresh.values())):
            for art in versions:
                src = art.src
                for rid in model.direct_regions(src):
                    direct_delta[rid] += sign
                for rid in model.rolled_regions(src, ancestors):
                    for t in src.topics:
                        topics_delta[rid][t.id] += sign
                    if sign > 0:
                        articles_added[rid].add(art.slug)
                if sign > 0:
                    for target, figure in model.figure_targets(src, ancestors):
                        figures_added[target].append(figure)
        for old, new in self.pairs:   # the regions whose tallies these move
            dirty |= self._touched(old, new, lambda a: model.rolled_regions(a.src, ancestors))
            dirty |= self._touched(old, new, lambda a: model.direct_regions(a.src))
            dirty.update(t for t, _ in self._touched(old, new, lambda a: set(model.figure_targets(a.src, ancestors))))
            if old is not None and new is not None and _ids(old.src.topics) != _ids(new.src.topics):
                dirty |= model.rolled_regions(old.src, ancestors) | model.rolled_regions(new.src, ancestors)
        entries_added: dict[str, set[str]] = defaultdict(set)
        partners_by_entries: dict[str, Counter[str]] = defaultdict(Counter)
        for sign, entries in ((-1, self.gone_entries), (1, self.new_entries)):
            for e in entries:
                for target in model.rolled(e.regions, ancestors):
                    dirty.add(target)
                    if sign > 0:
                        entries_added[target].add(e.key)
                for x, y in model.entry_partner_pairs(e):
                    partners_by_entries[x][y] += sign
        partners_by_initiatives: dict[str, Counter[str]] = defaultdict(Counter)
        for iid in self.initiatives_moved:   # with a page now (+1) or no more (-1)
            sign = 1 if iid in self.initiative_ids else -1
            dirty.update(vocab.initiatives[iid].members)
            for x, y in model.initiative_partner_pairs(vocab, iid):
                partners_by_initiatives[x][y] += sign
        member_of: dict[str, set[str]] = defaultdict(set)
        for iid in self.initiative_ids:
            for m in vocab.initiatives[iid].members:
                member_of[m].add(iid)

        tallies: dict[str, list] = {}
        for rid in dirty:
            info = last.regions.get(rid)
            if info is not None:
                partners = Counter(dict(info.partners))
                partners.update(partners_by_initiatives.get(rid, {}))
                tallies[rid] = [info.articles, info.direct, Counter(dict(info.topics)), info.figures, info.entries,
                                partners]
            else:   # no page before: no article, entry or figure named it or a region below it
                partners = Counter()
                for iid in sorted(member_of.get(rid, ())):
                    for x, y in model.initiative_partner_pairs(vocab, iid):
                        if x == rid:
                            partners[y] += 1
                tallies[rid] = [(), 0, Counter(), (), (), partners]
            tally = tallies[rid]
            tally[0] = self.newest_first_from(tally[0], articles_added.get(rid, ()))
            tally[1] += direct_delta.get(rid, 0)
            tally[2].update(topics_delta.get(rid, {}))
            tally[3] = _merged([f for f in tally[3] if f[0] not in self.gone_slugs], set(figures_added.get(rid, ())),
                               lambda sf: (self.order[sf[0]], sf[1]))
            tally[4] = self.chronological_from(tally[4], entries_added.get(rid, ()))
            tally[5].update(partners_by_entries.get(rid, {}))

        with_page = {rid for rid in last.regions if rid not in dirty}
        with_page.update(rid for rid, (articles, _, _, figures, entries, _) in tallies.items()
                         if articles or entries or figures)
        self.with_page_moved = with_page != last.regions.keys()
        structure = model.region_structure(with_page, ancestors) if self.with_page_moved else None
        table = {}
        for rid in sorted(with_page):
            if rid in tallies:
                old = last.regions.get(rid)
                anc, children = structure[rid] if structure is not None else (old.ancestors, old.children)
                articles, direct, topics, figures, entries, partners = tallies[rid]
                initiatives = set(member_of.get(rid, ()))
                for key in entries:
                    e = self.by_entry[key]
                    if rid in e.regions:
                        initiatives.update(e.initiatives)
                table[rid] = model.region_info(vocab.regions[rid], anc, children, articles, direct, entries, topics,
                                               tuple(sorted(initiatives)), partners, figures)
            else:   # its tallies are the same; its parent or children may have got or lost their pages
                old = last.regions[rid]
                anc, children = structure[rid] if structure is not None else (old.ancestors, old.children)
                table[rid] = old if (anc, children) == (old.ancestors, old.children) else \
                    dataclasses.replace(old, parent=anc[0] if anc else None, ancestors=anc, children=children)
        self.with_page = with_page
        self.regions = table

    # --- topics, people, organisations ---------------------------------------------------
    def _topics(self) -> None:
        last, by_slug = self.last, self.by_slug
        dirty = set()
        for old, new in self.pairs:   # a topic lists its articles' entries and counts their regions
            if self.placed_anew(old, new) or old.slug in self.events_moved \
                    or model.direct_regions(old.src) != model.direct_regions(new.src):
                dirty |= _ids(old.src.topics if old else ()) | _ids(new.src.topics if new else ())
            else:
                dirty |= _ids(set(old.src.topics) ^ set(new.src.topics))
        dirty.update(ref.id for art in self.rekeyed.values() for ref in art.src.topics)
        table = dict(last.topics)
        by_entry = self.by_entry
        recheck = self.gone_keys | {e.key for e in self.new_entries}
        recheck.update(ev.entry for old, new in self.pairs for art in (old, new) if art is not None for ev in art.events)
        for tid in dirty:
            info = last.topics.get(tid)
            added = {slug: ref.score for slug, art in self.fresh.items() for ref in art.src.topics if ref.id == tid}

            def rank(slug: str, tid: str = tid, added: dict[str, float] = added) -> tuple:
                score = added[slug] if slug in added else next(r.score for r in by_slug[slug].src.topics if r.id == tid)
                return model.topic_rank(score, self.order[slug])

            kept = [s for s in info.articles if s not in self.gone_slugs] if info else []
            if not kept and not added:
                table.pop(tid, None)
                continue
            articles = _merged(kept, added, rank)
            members = set(articles)
            region_counts = Counter(dict(info.regions)) if info else Counter()
            for sign, versions in ((-1, self.old.values()), (1, self.fresh.values())):
                for art in versions:
                    if any(r.id == tid for r in art.src.topics):
                        for ref in art.src.regions:
                            region_counts[ref.id] += sign
            # the entries it may gain or lose: those of the changed articles' events, and the new ones
            kept_entries = [k for k in info.entries if k not in recheck] if info else []
            entries = _merged(kept_entries, [k for k in recheck if k in by_entry and any(
                x.slug in members for x in by_entry[k].sources)], self.entry_order.__getitem__)
            table[tid] = model.TopicInfo(tid, articles, entries, model.counted(region_counts))
        self.topics = {tid: table[tid] for tid in sorted(table)}

    def _people(self, texts: dict[int, str]) -> None:
        last, by_slug = self.last, self.by_slug
        dirty = {ap.ref.id for art in self.rekeyed.values() for ap in art.people}
        for old, new in self.pairs:   # a person's page lists the entries their articles' events name them in
            if self.placed_anew(old, new) or old.slug in self.events_moved:
                dirty.update(ap.ref.id for art in (old, new) if art is not None for ap in art.people)
            else:
                dirty.update(ap.ref.id for ap in set(old.people) ^ set(new.people))
        table = dict(last.people)
        self.person_labels: dict[str, model.Label] = {}
        for pid in dirty:
            info = last.people.get(pid)
            slugs = self._kept_slugs(info.articles) if info else set()
            slugs.update(slug for slug, art in self.fresh.items() if any(ap.ref.id == pid for ap in art.people))
            refs = [(by_slug[s], ap) for s in slugs for ap in by_slug[s].people if ap.ref.id == pid]
            if refs:
                self.person_labels[pid], table[pid] = model.person_info(pid, refs, self.order, self.chronological,
                                                                        texts)
            else:
                table.pop(pid, None)
        self.people = {pid: table[pid] for pid in sorted(table)}

    def _organisations(self, texts: dict[int, str]) -> None:
        last, by_slug = self.last, self.by_slug
        dirty = {ref.id for art in self.rekeyed.values() for ref in art.src.organisations}
        for old, new in self.pairs:
            if self.placed_anew(old, new) or old.slug in self.events_moved:
                dirty.update(ref.id for art in (old, new) if art is not None for ref in art.src.organisations)
            else:
                dirty |= _ids(set(old.src.organisations) ^ set(new.src.organisations))
        dirty.update(o for e in (*self.gone_entries, *self.new_entries) for o in e.organisations)
        naming = model.entries_by_organisation(self.entries) if dirty else {}
        table = dict(last.organisations)
        self.organisation_labels: dict[str, model.Label] = {}
        for oid in dirty:
            info = last.organisations.get(oid)
            slugs = self._kept_slugs(info.articles) if info else set()
            slugs.update(slug for slug, art in self.fresh.items() if any(r.id == oid for r in art.src.organisations))
            refs = [(by_slug[s], ref) for s in slugs for ref in by_slug[s].src.organisations if ref.id == oid]
            if refs:
                self.organisation_labels[oid], table[oid] = model.organisation_info(
                    oid, refs, naming.get(oid, ()), self.order, self.chronological, texts)
            else:
                table.pop(oid, None)
        self.organisations = {oid: table[oid] for oid in sorted(table)}

    # --- labels, related articles, fingerprints -------------------------------------------
    def _labels(self) -> dict[tuple[str, str], model.Label]:
        last, vocab = self.last, self.vocab
        if self.with_page_moved or self.initiatives_moved:
            labels = model.region_labels(vocab, self.with_page, self.initiative_ids, self.ancestors)
        else:
            labels = {k: v for k, v in last.labels.items() if k[0] == "region"}
        for iid in self.initiatives:
            labels[("initiative", iid)] = last.labels.get(("initiative", iid)) or model.initiative_label(vocab, iid)
        for tid in self.topics:
            labels[("topic", tid)] = last.labels.get(("topic", tid)) or model.topic_label(vocab, tid)
        for pid in self.people:
            labels[("person", pid)] = self.person_labels.get(pid) or last.labels[("person", pid)]
        for oid in self.organisations:
            labels[("organisation", oid)] = self.organisation_labels.get(oid) or last.labels[("organisation", oid)]
        model.add_event_organisation_labels(labels, self.entries, last.labels)
        return labels

    def site(self, related_ahead) -> Site:
        last = self.last
        self._entries()
        self._articles()
        self._initiatives()
        self._regions()
        self._topics()
        texts: dict[int, str] = {}
        self._people(texts)
        self._organisations(texts)
        labels = self._labels()
        articles = self.articles

        digest, related = model.ranked_related([a.src for a in articles], last.related_cache, related_ahead,
                                        previous=([a.src for a in last.articles], last.related))
        years = model.entry_years(self.entries)
        stats = model.site_stats(articles, self.entries, self.regions, self.initiatives, self.topics, self.people,
                                 self.organisations)
        tables = model.entity_tables(self)
        fps = self._fingerprints(labels, tables, related, years, stats)
        last_tables = model.entity_tables(last)
        layout_kept = self.same_order and years == last.years and all(
            (art.src.date, art.src.date_precision) == (self.old[s].src.date, self.old[s].src.date_precision)
            for s, art in self.fresh.items()) and all(
            table.keys() == last_tables[kind].keys() and all(
                info is last_tables[kind][i] or
                model.listing_pages(info.articles) == model.listing_pages(last_tables[kind][i].articles)
                for i, info in table.items())
            for kind, table in tables.items())
        region_labels_same = not (self.with_page_moved or self.initiatives_moved)
        return dataclasses.replace(
            last, articles=tuple(articles), by_slug=MappingProxyType(self.by_slug), labels=MappingProxyType(labels),
            regions=MappingProxyType(self.regions), initiatives=MappingProxyType(self.initiatives),
            topics=MappingProxyType(self.topics), people=MappingProxyType(self.people),
            organisations=MappingProxyType(self.organisations), entries=tuple(self.entries),
            by_entry=MappingProxyType(self.by_entry), years=years, related=MappingProxyType(related), stats=stats,
            region_coords=last.region_coords if region_labels_same else model.region_coords(labels, self.vocab),
            fingerprints=MappingProxyType(fps), related_cache=(digest, related),
            layout=last.layout if layout_kept else object(),
        )

    def _fingerprints(self, labels, tables, related, years, stats) -> dict[str, str]:
        last = self.last
        fps = dict(last.fingerprints)
        for slug in self.removed:
            for prefix in model.ARTICLE_KEYS:
                del fps[prefix + slug]
        for art in (*self.fresh.values(), *self.rekeyed.values()):
            model.article_fingerprints(fps, art, related)
        if related is not last.related:
            for slug, found in related.items():
                if last.related.get(slug) != found:
                    fps["related:" + slug] = model.fingerprint(found)
        for e in self.gone_entries:
            del fps["entry:" + e.key]
        for e in self.new_entries:
            fps["entry:" + e.key] = model.entry_fingerprint(e)
        for key, label in labels.items():
            old = last.labels.get(key)
            if old is None or (old is not label and old != label):
                fps[f"label:{key[0]}:{key[1]}"] = model.label_fingerprint(label)
        for key in last.labels.keys() - labels.keys():
            del fps[f"label:{key[0]}:{key[1]}"]
        last_tables = model.entity_tables(last)
        for name, table in tables.items():
            before = last_tables[name]
            moved = False
            for ident, info in table.items():
                old = before.get(ident)
                if old is not info:
                    moved = True
                    model.entity_fingerprints(fps, name, ident, info, old)
            for ident in before.keys() - table.keys():
                moved = True
                for key in model.entity_keys(name, ident, before[ident]):
                    del fps[key]
            if moved:
                fps[f"index:{name}"] = model.index_fingerprint(name, table, tables["region"])
        if not self.same_order:
            slugs = tuple(a.slug for a in self.articles)
            fps["index:articles"] = model.fingerprint(slugs)
            model.listing_fingerprints(fps, "index:articles", slugs, tuple(a.slug for a in last.articles))
        if self.gone_entries or self.new_entries:
            for year, _ in last.years:
                fps.pop(f"timeline:{year}", None)
            model.timeline_fingerprints(fps, years, self.entries)
        fps["stats"] = model.fingerprint(stats)
        return fps


def _ids(refs) -> set[str]:
    return {ref.id for ref in refs}


def _merged(kept: list, added: Iterable, key) -> tuple:
    """``kept`` (in ``key`` order) with ``added`` put in their places."""
    for item in sorted(added, key=key):
        bisect.insort(kept, item, key=key)
    return tuple(kept)
