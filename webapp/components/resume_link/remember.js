// Remembers on this device which personal link (token) belongs to a study,
// so that the study's open link, clicked again from an e-mail or a poster,
// can offer to continue the sort (see webapp/participant/returning.py).
// A Streamlit custom component (v2), plain ES module, that draws nothing.
//
// data: {name, value, max_age}. The cookie holds the token only (the
// session itself is on the server); it is read by Python on the next page
// load (st.context.cookies). SameSite=Lax: the cookie is sent when the link
// is followed from another site (a webmail), never with other sites' requests.

export default function rememberLink({ data }) {
  const pair = `${data.name}=${encodeURIComponent(data.value)}`;
  if (document.cookie.split("; ").includes(pair)) return;
  const secure = window.location.protocol === "https:" ? "; Secure" : "";
  document.cookie = `${pair}; path=/; max-age=${Number(data.max_age) || 0}; SameSite=Lax${secure}`;
}
