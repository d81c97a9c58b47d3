// The participant's personal link (study + token) with a "Copy link"
// button. A Streamlit custom component (v2), plain ES module.
//
// data: {query, page_paths}. The link is built from this page's own
// address (so it is right behind any proxy or base path), without the
// participant page's name: the app's root answers participant links, and
// Streamlit looks for its server under a page's name first (a 404 in the
// console). Texts are set with textContent / value only, from the study
// language's catalogue (shared/i18n.js, prepended by __init__.py).

export default function showResumeLink({ data, parentElement }) {
  useI18n(data.i18n);
  const root = parentElement.querySelector(".rl");
  const input = root.querySelector(".rl-link");
  const button = root.querySelector(".rl-copy");
  const status = root.querySelector(".rl-status");
  root.querySelector(".rl-label").textContent = _("Your personal link");
  button.textContent = _("Copy link");
  input.value = personalLink(data);
  if (root.dataset.ready === "true") return undefined;
  root.dataset.ready = "true";

  const say = (text) => {
    status.textContent = "";
    window.setTimeout(() => { status.textContent = text; }, 30);
  };
  const onCopy = async () => {
    try {
      await navigator.clipboard.writeText(input.value);
      say(_("Copied. Paste it somewhere you will find it again."));
    } catch (err) {
      // no clipboard access (an old browser, a setting): select the text instead
      input.focus();
      input.select();
      let copied = false;
      try { copied = document.execCommand("copy"); } catch (e) { copied = false; }
      say(copied ? _("Copied. Paste it somewhere you will find it again.")
        : _("The link is selected: copy it with your device's copy command."));
    }
  };
  const onFocus = () => input.select();
  button.addEventListener("click", onCopy);
  input.addEventListener("focus", onFocus);
  return () => {
    button.removeEventListener("click", onCopy);
    input.removeEventListener("focus", onFocus);
    delete root.dataset.ready;
  };
}

function personalLink(data) {
  const url = new URL(window.location.href);
  let path = url.pathname;
  for (const name of data.page_paths || []) {
    const suffix = `/${name}`;
    if (path.endsWith(suffix) || path.endsWith(`${suffix}/`)) {
      path = path.slice(0, path.lastIndexOf(suffix)) || "/";
      break;
    }
  }
  if (!path.endsWith("/")) path += "/";
  url.pathname = path;
  url.search = data.query;
  url.hash = "";
  return url.toString();
}
