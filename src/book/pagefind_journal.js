// Pagefind's search module as the book's search page uses it: written by
// `journal build` to `pagefind/journal/pagefind.js` (see src/book/search.rs)
// and given to Pagefind's UI as its bundle. It is Pagefind's own module
// (`../pagefind.js`, the main index merged with the years' and months'
// ones) with two changes to `search`:
//
// - loose matches are dropped: when a word is in none of an index's pages,
//   Pagefind searches for the longest word of that index it starts with
//   (« qqqqq » finds « q », « xyzzy » a letter of an image's file name), so a
//   nonsense word listed unrelated entries. A result is kept when, for every
//   word of the query, a word it matched (in its text or its metadata)
//   shares a long enough start with it;
// - sorted by date (`sort: { date: "desc" | "asc" }`), the results are
//   ordered by the entry's date across all indexes (Pagefind orders each
//   index, then interleaves them by score).
//
// Both need the results' data: the first CHECKED results are loaded, in
// parallel (Pagefind keeps them for the page's rendering). Beyond them, the
// results stay in Pagefind's order, unchecked.
// It renders nothing: Pagefind's UI does.

import * as pagefind from "../pagefind.js";

export const options = pagefind.options;
export const init = pagefind.init;
export const destroy = pagefind.destroy;
export const mergeIndex = pagefind.mergeIndex;
export const preload = pagefind.preload;
export const filters = pagefind.filters;
export const createInstance = pagefind.createInstance;

/** Results checked (and sorted by date) at most. */
const CHECKED = 200;

/** Lower case, without accents. */
function fold(s) {
    return String(s).normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
}

/** The forms of a word as Pagefind indexes them: whole (without its
 * punctuation) and cut at its punctuation (« node-exporter:9100 »). */
function forms(word) {
    var w = fold(word);
    return [w.replace(/[^\p{L}\p{N}]/gu, "")].concat(w.split(/[^\p{L}\p{N}]+/u));
}

/** How many first characters `a` and `b` share. */
function common(a, b) {
    var i = 0;
    while (i < a.length && i < b.length && a[i] === b[i]) { i++; }
    return i;
}

/** The start a matched word must share with a query word: all of a short
 * word, half of a long one (its stem and more), never less than three. */
function needed(term) {
    return Math.min(term.length, Math.max(3, Math.ceil(term.length / 2)));
}

/** The words of the query, as Pagefind reads them. */
function queryWords(term) {
    return fold(term).split(/\s+/)
        .map(function (w) { return w.replace(/[^\p{L}\p{N}]/gu, ""); })
        .filter(Boolean);
}

/** Whether the result `data` really matches every word of `terms`: the
 * words at its matched locations, and its metadata (Pagefind searches it
 * too). */
function matches(data, terms) {
    var content = (data.content || "").split(/[\r\n\s]+/g);
    var seen = [];
    (data.locations || []).forEach(function (l) {
        if (content[l] !== undefined) { seen = seen.concat(forms(content[l])); }
    });
    Object.keys(data.meta || {}).forEach(function (k) {
        String(data.meta[k]).split(/\s+/).forEach(function (w) { seen = seen.concat(forms(w)); });
    });
    return terms.every(function (t) {
        var n = needed(t);
        return seen.some(function (w) { return common(t, w) >= n; });
    });
}

/** The entry's date in milliseconds (`NaN` for a documentation page). */
function when(data) {
    return Date.parse((data.meta || {}).date || "");
}

export async function search(term, opts) {
    opts = Object.assign({}, opts || {});
    var order = opts.sort && opts.sort.date;
    if (order) { delete opts.sort; }
    var found = await pagefind.search(term, opts);
    var exact = /^\s*".+"\s*$/.test(term || "");
    var terms = queryWords(term || "");
    if (!found || !found.results || (!order && (exact || !terms.length))) { return found; }
    var head = found.results.slice(0, CHECKED);
    var datas = await Promise.all(head.map(function (r) { return r.data(); }));
    var kept = [];
    head.forEach(function (r, i) {
        if (exact || !terms.length || matches(datas[i], terms)) {
            kept.push({ result: r, date: when(datas[i]), rank: i });
        }
    });
    if (order) {
        var sign = order === "asc" ? 1 : -1;
        kept.sort(function (a, b) {
            var da = isNaN(a.date), db = isNaN(b.date);
            if (da || db) { return da === db ? a.rank - b.rank : (da ? 1 : -1); }
            return sign * (a.date - b.date) || a.rank - b.rank;
        });
    }
    var results = kept.map(function (k) { return k.result; });
    // Nothing real among the first results: the rest is no better.
    if (kept.length) { results = results.concat(found.results.slice(CHECKED)); }
    return Object.assign({}, found, { results: results });
}
