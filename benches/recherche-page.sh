#!/usr/bin/env bash
# What the search page downloads for a query (BENCHMARKS.md, section 17),
# on a book already built (`journal build`): for each query, the number of
# index files fetched under recherche/ and their bytes, and the page's
# message. Chromium headless with virtual time: durations are not measured
# (virtual), the bytes are.
# Usage: benches/recherche-page.sh BOOK_HTML_DIR [QUERY…]
# Needs: chromium, python3. Prints figures; asserts nothing.
set -euo pipefail
html=${1:?usage: benches/recherche-page.sh BOOK_HTML_DIR [QUERY…]}
shift
queries=("$@")
[ ${#queries[@]} -eq 0 ] && queries=(prometheus "mot de passe" sauveg reussi zzqxw)
page="$html/mesure-recherche.html"
python3 - "$html/recherche.html" "$page" <<'PY'
import sys
s = open(sys.argv[1], encoding="utf-8").read()
probe = """<script>
(function () {
  var iv = setInterval(function () {
    var msg = document.querySelector(".recherche-message");
    var li = document.querySelector(".recherche-resultat");
    if (!msg || !msg.textContent || !(li || /aucun/.test(msg.textContent))) return;
    clearInterval(iv);
    var rs = performance.getEntriesByType("resource").filter(function (r) { return /\\/recherche\\//.test(r.name); });
    var bytes = rs.reduce(function (n, r) { return n + (r.encodedBodySize || 0); }, 0);
    var pre = document.createElement("pre");
    pre.id = "mesure";
    pre.textContent = rs.length + " fichiers, " + (bytes / 1024).toFixed(0) + " Kio — " + msg.textContent;
    document.body.appendChild(pre);
  }, 5);
})();
</script></body>"""
open(sys.argv[2], "w", encoding="utf-8").write(s.replace("</body>", probe, 1))
PY
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$html" >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -f "$page"' EXIT
sleep 1
echo "index : $(du -sh "$html/recherche" | cut -f1), $(find "$html/recherche" -type f | wc -l) fichiers"
for q in "${queries[@]}"; do
  enc=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$q")
  out=$(timeout 90 chromium --headless --no-sandbox --disable-gpu --virtual-time-budget=10000 \
    --dump-dom "http://127.0.0.1:$port/mesure-recherche.html?q=$enc" 2>/dev/null |
    grep -o '<pre id="mesure">[^<]*' | sed 's/<pre id="mesure">//')
  echo "« $q » : ${out:-pas de résultat mesuré}"
done
