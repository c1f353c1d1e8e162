// The book's search page: written by `journal build` to
// `recherche/recherche.js` (src/book/search.rs) and loaded by
// `recherche.html`. It reads the indexes `journal build` writes beside it
// (layout in src/book/search_index.rs): one for the main book's
// documentation, one per past year, one per month of the latest year, all
// merged here.
//
// A query's words are cut and folded as the index's were
// (src/book/search_text.rs: runs of letters and digits, lower case, no
// accents, words of one character and numbers of two digits left out).
// Each word finds, in the word file of its first two characters, the same
// word, the words of the same French stem, and the words it starts
// (a word being typed); an entry must have every word of the query. The
// results are ranked with BM25 over all the indexes, or by date, and can
// be narrowed by type, part, status and year. A result's excerpt is cut
// from its text around the first word found, the words found marked; its
// link carries them (`?surligner=`) for the entry's page to mark them.
//
// Only what a search needs is fetched: each index's entry file (filters,
// dates, word files present), the word files of the query's words, the
// text files of the results shown.
(function () {
    "use strict";
    var root = document.getElementById("recherche-journal");
    if (!root || window.location.protocol === "file:") { return; }

    var PAGE = 10;
    var K1 = 1.2, B = 0.75;
    var site = new URL(root.getAttribute("data-racine") || "./", window.location.href);
    var folder = new URL(root.getAttribute("data-dossier") + "/", site);
    var groups = (root.getAttribute("data-index") || "").split(",").filter(Boolean);
    var FIELDS = [["type", "Type", 2, "tous"], ["partie", "Partie", 3, "toutes"], ["statut", "Statut", 4, "tous"]];

    function fold(w) {
        return w.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase()
            .replace(/œ/g, "oe").replace(/æ/g, "ae");
    }
    function kept(w) {
        var n = Array.from(w).length;
        return n >= 2 && n <= 40 && !/^[0-9]{2}$/.test(w);
    }
    function words(text) {
        return (text.match(/[\p{L}\p{N}]+/gu) || []).filter(kept).map(fold);
    }
    function key(w) {
        var bytes = new TextEncoder().encode(Array.from(w).slice(0, 2).join(""));
        return Array.from(bytes, function (b) { return b.toString(16).padStart(2, "0"); }).join("");
    }
    function escapeHtml(s) {
        return String(s).replace(/[&<>"']/g, function (c) {
            return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
        });
    }
    function stemOf(e) { return typeof e[1] === "number" ? e[0].slice(0, e[1]) : e[1]; }

    var cache = {};
    function load(path) {
        if (!cache[path]) {
            cache[path] = fetch(new URL(path, folder)).then(function (r) {
                if (!r.ok) { throw new Error(path + " : " + r.status); }
                return r.json();
            });
        }
        return cache[path];
    }
    function entries() {
        return Promise.all(groups.map(function (g) {
            return load(g + "/entree.json").then(function (e) {
                if (e.version !== 1) { throw new Error("version " + e.version); }
                e.groupe = g;
                return e;
            });
        }));
    }

    // The page: the field, the filters, the message and the results.
    var form = document.createElement("form");
    form.className = "recherche-formulaire";
    form.setAttribute("role", "search");
    var input = document.createElement("input");
    input.type = "search";
    input.className = "recherche-champ";
    input.placeholder = "Rechercher dans le journal…";
    input.setAttribute("aria-label", "Rechercher dans le journal");
    input.autocomplete = "off";
    form.appendChild(input);
    var filters = document.createElement("div");
    filters.className = "recherche-filtres";
    form.appendChild(filters);
    var message = document.createElement("p");
    message.className = "recherche-message";
    message.setAttribute("role", "status");
    var list = document.createElement("ol");
    list.className = "recherche-resultats";
    var more = document.createElement("button");
    more.type = "button";
    more.className = "recherche-plus";
    more.textContent = "Plus de résultats";
    more.hidden = true;
    root.textContent = "";
    root.appendChild(form);
    root.appendChild(message);
    root.appendChild(list);
    root.appendChild(more);
    var sortChoice = document.getElementById("recherche-tri");
    var selects = {};

    function addFilter(name, label, any, values) {
        if (!values.length) { return; }
        var l = document.createElement("label");
        l.className = "recherche-filtre";
        l.appendChild(document.createTextNode(label + " "));
        var s = document.createElement("select");
        s.name = name;
        var all = document.createElement("option");
        all.value = "";
        all.textContent = any;
        s.appendChild(all);
        values.forEach(function (v) {
            var o = document.createElement("option");
            o.value = String(v);
            o.textContent = String(v);
            s.appendChild(o);
        });
        s.addEventListener("change", function () { run(); });
        l.appendChild(s);
        filters.appendChild(l);
        selects[name] = s;
    }

    var ready = entries().then(function (all) {
        FIELDS.forEach(function (f) {
            var seen = [];
            all.forEach(function (e) {
                (e.valeurs[f[0]] || []).forEach(function (v) { if (seen.indexOf(v) < 0) { seen.push(v); } });
            });
            addFilter(f[0], f[1], f[3], seen.sort(function (a, b) { return a.localeCompare(b, "fr"); }));
        });
        var years = [];
        all.forEach(function (e) {
            e.d.forEach(function (d) { if (d[1] && years.indexOf(d[1]) < 0) { years.push(d[1]); } });
        });
        addFilter("annee", "Année", "toutes", years.sort(function (a, b) { return b - a; }));
        return all;
    });

    // Whether the document `d` of the index `e` passes the filters.
    function passes(e, d) {
        for (var i = 0; i < FIELDS.length; i++) {
            var s = selects[FIELDS[i][0]];
            if (s && s.value && (e.valeurs[FIELDS[i][0]] || [])[d[FIELDS[i][2]]] !== s.value) { return false; }
        }
        var y = selects.annee;
        return !(y && y.value && String(d[1]) !== y.value);
    }

    // The entries of the word files that a query word finds, per index:
    // [[entry, factor]…]. The stem is taken from the word itself wherever
    // an index has it, else from the longest stem it starts with.
    function found(word, lists) {
        var stem = null;
        lists.forEach(function (l) {
            l.forEach(function (e) { if (e[0] === word) { stem = stemOf(e); } });
        });
        if (stem === null) {
            lists.forEach(function (l) {
                l.forEach(function (e) {
                    var s = stemOf(e);
                    if (s.length >= 3 && word.length - s.length <= 3 && word.startsWith(s) &&
                        (stem === null || s.length > stem.length)) { stem = s; }
                });
            });
        }
        return lists.map(function (l) {
            var out = [];
            l.forEach(function (e) {
                if (e[0] === word) { out.push([e, 1]); }
                else if (stem !== null && stemOf(e) === stem) { out.push([e, 0.9]); }
                else if (Array.from(word).length >= 3 && e[0].startsWith(word)) { out.push([e, 0.6]); }
            });
            return out;
        });
    }

    function postings(e) {
        if (!e.decoded) {
            var flat = e[2], out = [], doc = 0;
            for (var i = 0; i < flat.length; i += 2) {
                doc = i === 0 ? flat[0] : doc + flat[i];
                out.push(doc, flat[i + 1]);
            }
            e.decoded = out;
        }
        return e.decoded;
    }

    // The results of `query`: [{e, doc, score, date}], and the words found.
    function search(query, all) {
        var terms = words(query).filter(function (w, i, a) { return a.indexOf(w) === i; });
        if (!terms.length) { return Promise.resolve({ results: [], marked: [] }); }
        return Promise.all(terms.map(function (t) {
            var k = key(t);
            return Promise.all(all.map(function (e) {
                return e.cles.indexOf(k) >= 0 ? load(e.groupe + "/mots/" + k + ".json") : Promise.resolve([]);
            }));
        })).then(function (perTerm) {
            var total = all.reduce(function (n, e) { return n + e.docs; }, 0);
            var scores = all.map(function () { return new Map(); });
            var marked = [];
            for (var t = 0; t < terms.length; t++) {
                var hits = found(terms[t], perTerm[t]);
                var tf = all.map(function () { return new Map(); });
                var df = 0;
                hits.forEach(function (h, g) {
                    h.forEach(function (pair) {
                        if (marked.indexOf(pair[0][0]) < 0) { marked.push(pair[0][0]); }
                        var p = postings(pair[0]);
                        for (var i = 0; i < p.length; i += 2) {
                            tf[g].set(p[i], (tf[g].get(p[i]) || 0) + p[i + 1] * pair[1]);
                        }
                    });
                    df += tf[g].size;
                });
                var idf = Math.log(1 + (total - df + 0.5) / (df + 0.5));
                all.forEach(function (e, g) {
                    var next = new Map();
                    tf[g].forEach(function (f, doc) {
                        if (t > 0 && !scores[g].has(doc)) { return; }
                        var len = e.d[doc][5] || 0;
                        var s = idf * f * (K1 + 1) / (f + K1 * (1 - B + B * len / (e.longueur || 1)));
                        next.set(doc, (scores[g].get(doc) || 0) + s);
                    });
                    scores[g] = next;
                });
            }
            var results = [];
            all.forEach(function (e, g) {
                scores[g].forEach(function (score, doc) {
                    var d = e.d[doc];
                    if (passes(e, d)) { results.push({ e: e, doc: doc, score: score, date: d[0] }); }
                });
            });
            var order = sortChoice ? sortChoice.value : "pertinence";
            results.sort(function (a, b) {
                if (order === "recentes" || order === "anciennes") {
                    var na = a.date === null, nb = b.date === null;
                    if (na !== nb) { return na ? 1 : -1; }
                    if (!na && a.date !== b.date) { return order === "recentes" ? b.date - a.date : a.date - b.date; }
                }
                return b.score - a.score;
            });
            return { results: results, marked: marked };
        });
    }

    // The excerpt of `text` around its first word found, words found marked.
    function excerpt(text, marked) {
        var re = /[\p{L}\p{N}]+/gu, m, tokens = [];
        while ((m = re.exec(text)) !== null) {
            tokens.push({ at: m.index, end: m.index + m[0].length, hit: marked.indexOf(fold(m[0])) >= 0 });
        }
        if (!tokens.length) { return ""; }
        var first = tokens.findIndex(function (t) { return t.hit; });
        var from = Math.max(0, (first < 0 ? 0 : first) - 8);
        var to = Math.min(tokens.length, from + 32);
        var start = tokens[from].at, stop = to < tokens.length ? tokens[to - 1].end : text.length;
        var html = "", pos = start, open = false;
        for (var i = from; i < to; i++) {
            var t = tokens[i];
            var gap = text.slice(pos, t.at);
            if (open && !(t.hit && /^\s*$/.test(gap))) { html += "</mark>"; open = false; }
            html += escapeHtml(gap);
            if (t.hit && !open) { html += "<mark>"; open = true; }
            html += escapeHtml(text.slice(t.at, t.end));
            pos = t.end;
        }
        if (open) { html += "</mark>"; }
        html += escapeHtml(text.slice(pos, stop));
        return (from > 0 ? "… " : "") + html + (to < tokens.length ? " …" : "");
    }

    function show(r, marked) {
        var e = r.e, n = e.par_texte || 16;
        return load(e.groupe + "/textes/" + Math.floor(r.doc / n) + ".json").then(function (rows) {
            var row = rows[r.doc % n];
            var url = row[0].replace(/^\//, "");
            var hash = url.indexOf("#");
            var path = hash < 0 ? url : url.slice(0, hash), anchor = hash < 0 ? "" : url.slice(hash);
            var href = new URL(path, site).pathname + "?surligner=" +
                encodeURIComponent(marked.slice(0, 20).join(" ")) + anchor;
            var li = document.createElement("li");
            li.className = "recherche-resultat";
            var details = [row[2], row[3], row[4], row[5]].filter(Boolean).map(escapeHtml).join(" · ");
            li.innerHTML = '<p class="recherche-titre"><a class="recherche-lien" href="' + escapeHtml(href) + '">' +
                escapeHtml(row[1] || path) + "</a></p>" +
                '<p class="recherche-extrait">' +
                (details ? '<span class="journal-resultat-meta">' + details + "</span> " : "") +
                excerpt(row[6], marked) + "</p>";
            return li;
        });
    }

    var current = 0;
    var shown = null;
    function page() {
        var s = shown;
        var next = s.results.slice(s.count, s.count + PAGE);
        s.count += next.length;
        return Promise.all(next.map(function (r) { return show(r, s.marked); })).then(function (items) {
            if (s !== shown) { return; }
            items.forEach(function (li) { list.appendChild(li); });
            more.hidden = s.count >= s.results.length;
        });
    }
    more.addEventListener("click", function () { if (shown) { page(); } });

    function run() {
        var query = input.value.trim();
        var mine = ++current;
        var params = new URLSearchParams(window.location.search);
        if (query) { params.set("q", query); } else { params.delete("q"); }
        if (sortChoice && sortChoice.value !== "pertinence") { params.set("tri", sortChoice.value); } else { params.delete("tri"); }
        var qs = params.toString();
        window.history.replaceState(null, "", window.location.pathname + (qs ? "?" + qs : "") + window.location.hash);
        if (!query) {
            shown = null;
            list.textContent = "";
            message.textContent = "";
            more.hidden = true;
            return Promise.resolve();
        }
        return ready.then(function (all) { return search(query, all); }).then(function (s) {
            if (mine !== current) { return; }
            list.textContent = "";
            var n = s.results.length;
            message.textContent = n === 0 ? "aucun résultat pour « " + query + " »" :
                n + (n === 1 ? " résultat" : " résultats") + " pour « " + query + " »";
            shown = { results: s.results, marked: s.marked, count: 0 };
            return page();
        }).catch(function () {
            if (mine !== current) { return; }
            message.textContent = "L’index de recherche est absent ou illisible : reconstruisez le livre avec « journal build ».";
        });
    }

    var timer = null;
    input.addEventListener("input", function () {
        clearTimeout(timer);
        timer = setTimeout(run, 150);
    });
    form.addEventListener("submit", function (ev) {
        ev.preventDefault();
        clearTimeout(timer);
        run();
    });
    if (sortChoice) { sortChoice.addEventListener("change", function () { run(); }); }

    var params = new URLSearchParams(window.location.search);
    if (sortChoice && params.get("tri") &&
        Array.from(sortChoice.options).some(function (o) { return o.value === params.get("tri"); })) {
        sortChoice.value = params.get("tri");
    }
    if (params.get("q")) { input.value = params.get("q"); run(); }
    input.focus();
})();
