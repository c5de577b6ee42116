/* The site's only static files, compiled in: no CDN, nothing to install beside the binary.
 * The pages work without the script; it only makes voting happen without a page load. */
#include <string.h>

#include "internal.h"

static const char style_css[] =
    ":root{--fg:#1d2330;--muted:#5b6472;--line:#e4e7ec;--bg:#fafbfc;--card:#fff;"
    "--accent:#3d5afe;--on-accent:#fff;--warm:#ff7a45}\n"
    "@media (prefers-color-scheme:dark){:root{--fg:#e6e8ee;--muted:#9aa3b2;--line:#2a2f3a;"
    "--bg:#14171d;--card:#1b1f27;--accent:#8c9eff;--on-accent:#14171d}}\n"
    "*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,'Segoe UI',"
    "Roboto,sans-serif;color:var(--fg);background:var(--bg);overflow-wrap:break-word}\n"
    "a{color:var(--accent);text-decoration:none}a:hover{text-decoration:underline}\n"
    "header.top{display:flex;flex-wrap:wrap;align-items:center;gap:.6rem 1.2rem;padding:.7rem "
    "1rem;border-bottom:1px solid var(--line);background:var(--card);position:sticky;top:0;"
    "z-index:1}\n"
    ".brand{font-weight:700;font-size:1.15rem;color:var(--fg)}nav a{margin-right:.9rem;"
    "color:var(--muted)}nav a:hover{color:var(--fg)}\n"
    "form.search{flex:1;min-width:12rem}form.search input{width:100%;padding:.45rem .7rem;"
    "border:1px solid var(--line);border-radius:8px;background:var(--bg);color:var(--fg);"
    "font:inherit}\n"
    ".me a{margin-left:.8rem}.inline{display:inline}button.link{background:none;border:0;"
    "color:var(--accent);cursor:pointer;font:inherit;margin-left:.8rem;padding:0}\n"
    "main{max-width:58rem;margin:0 auto;padding:1rem}main.narrow{max-width:30rem}\n"
    "h1{font-size:1.5rem;margin:.6rem 0}.sub{color:var(--muted);margin-top:-.3rem}\n"
    ".pager{display:flex;justify-content:space-between;gap:1rem;margin:1rem 0;flex-wrap:wrap}\n"
    ".tabs a{margin-right:.8rem;padding:.2rem .6rem;border-radius:6px}.tabs a.on{"
    "background:var(--accent);color:var(--on-accent)}\n"
    ".card{display:flex;gap:.9rem;background:var(--card);border:1px solid var(--line);"
    "border-radius:10px;padding:.9rem 1rem;margin:.7rem 0}\n"
    ".card>.body{flex:1;min-width:0}.card h2{font-size:1.05rem;margin:0 0 .2rem;"
    "line-height:1.35}.card h2 a{color:var(--fg)}\n"
    ".rank{color:var(--muted);font-weight:600;min-width:1.5rem;text-align:right}\n"
    ".authors{margin:0;color:var(--muted);font-size:.92rem}\n"
    ".meta{margin:.3rem 0;font-size:.85rem;color:var(--muted);display:flex;flex-wrap:wrap;"
    "gap:.2rem .8rem}.cat{background:var(--bg);border:1px solid var(--line);border-radius:4px;"
    "padding:0 .35rem}\n"
    ".abstract{margin:.4rem 0 0;font-size:.93rem}mark{background:#fff3b0;color:#1d2330;"
    "padding:0 .1rem}\n"
    "form.vote button{display:flex;flex-direction:column;align-items:center;min-width:3rem;"
    "padding:.35rem .5rem;border:1px solid var(--line);border-radius:8px;background:var(--bg);"
    "color:var(--muted);cursor:pointer;font:inherit}form.vote button.voted{border-color:"
    "var(--warm);color:var(--warm)}\n"
    ".full{white-space:pre-wrap}.facts{display:grid;grid-template-columns:max-content "
    "minmax(0,1fr);gap:.2rem 1rem;font-size:.92rem}.facts dt{color:var(--muted)}.facts dd{"
    "margin:0;overflow-wrap:anywhere}\n"
    "pre{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:.8rem;"
    "overflow-x:auto;font-size:.85rem}\n"
    ".comment{border-top:1px solid var(--line);padding:.6rem 0}.comment .who{font-size:.85rem;"
    "color:var(--muted)}.hidden{opacity:.5}:target{scroll-margin-top:5rem}\n"
    "textarea,input[type=text],input[type=password],input[type=email]{width:100%;"
    "padding:.5rem;border:1px solid var(--line);border-radius:8px;font:inherit;"
    "background:var(--card);color:var(--fg)}\n"
    "label{display:block;margin:.6rem 0 .2rem;font-weight:600}\n"
    "button.primary{margin-top:.8rem;padding:.5rem 1.1rem;border:0;border-radius:8px;"
    "background:var(--accent);color:#fff;font:inherit;cursor:pointer}\n"
    ".error{color:#c62828}.note{color:var(--muted);font-size:.9rem}\n"
    ".filters{display:flex;flex-wrap:wrap;gap:.5rem;align-items:end;margin:.5rem 0}"
    ".filters input{width:auto}\n"
    "footer{text-align:center;color:var(--muted);font-size:.85rem;padding:2rem 1rem}\n"
    "svg.chart{width:100%;height:auto;background:var(--card);border:1px solid var(--line);"
    "border-radius:8px}\n"
    "@media (max-width:600px){.card{padding:.7rem;gap:.6rem}.rank{display:none}"
    "header.top{position:static}}\n";

static const char app_js[] =
    "// Progressive enhancement: vote without reloading the page.\n"
    "document.addEventListener('submit', function (e) {\n"
    "  var f = e.target;\n"
    "  if (!f.classList || !f.classList.contains('vote')) return;\n"
    "  e.preventDefault();\n"
    "  var body = new URLSearchParams(new FormData(f));\n"
    "  body.set('format', 'json');\n"
    "  fetch(f.action, {method: 'POST', body: body, credentials: 'same-origin',\n"
    "                   headers: {'Accept': 'application/json'}})\n"
    "    .then(function (r) {\n"
    "      if (r.status === 401) { location.href = '/login?next=' +\n"
    "        encodeURIComponent(location.pathname + location.search); return null; }\n"
    "      if (!r.ok) { f.submit(); return null; } // show the error page (429, 403...)\n"
    "      return r.json();\n"
    "    })\n"
    "    .then(function (j) {\n"
    "      if (!j) return;\n"
    "      var b = f.querySelector('button');\n"
    "      b.querySelector('.n').textContent = j.upvotes;\n"
    "      b.classList.toggle('voted', j.voted);\n"
    "      b.setAttribute('aria-pressed', j.voted ? 'true' : 'false');\n"
    "      b.setAttribute('aria-label', 'Upvote (' + j.upvotes + ')');\n"
    "      f.querySelector('input[name=up]').value = j.voted ? '0' : '1';\n"
    "    });\n"
    "});\n";

static const char favicon_svg[] =
    "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 32 32\"><rect width=\"32\" "
    "height=\"32\" rx=\"7\" fill=\"#3d5afe\"/><path d=\"M9 7h9a6 6 0 0 1 0 12h-4v6H9z\" "
    "fill=\"#fff\"/></svg>\n";

void http_static(struct req *r)
{
    const char *p = r->path;
    r->cache_control = "public, max-age=3600";
    if (!strcmp(p, "/static/style.css")) {
        r->ctype = "text/css; charset=utf-8";
        out_mem(r, style_css, sizeof style_css - 1);
    } else if (!strcmp(p, "/static/app.js")) {
        r->ctype = "text/javascript; charset=utf-8";
        out_mem(r, app_js, sizeof app_js - 1);
    } else {
        r->ctype = "image/svg+xml";
        out_mem(r, favicon_svg, sizeof favicon_svg - 1);
    }
}
