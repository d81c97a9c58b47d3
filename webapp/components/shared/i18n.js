// The participant texts of a component, in the study's language.
//
// Python sends the component's part of the gettext catalogue in `data.i18n`
// (webapp/i18n.py, Translator.js): {lang, dir, plural, messages}, where
// `messages` maps each msgid that this component's files use to its text,
// or, for a message with plural forms, to the list of forms in the
// catalogue's order, and `plural` is the catalogue's Plural-Forms rule (a
// C expression of n, which is also JavaScript). Texts are found by the same
// msgids as in Python, so `pybabel extract` finds the calls below:
//
//   _("Saved")                                      a text
//   _("Statement {n} placed.", { n })               with values
//   ngettext("{count} of {total} statement placed",
//            "{count} of {total} statements placed", total, { count, total })
//
// Values are put into the {name} fields after translation; whole numbers in
// the language's format (`numbers`: Babel's group separator and group sizes,
// Latin digits, so that they read as Python writes them). Every
// text reaches the page through textContent or an attribute, never HTML:
// keysInto() builds the <kbd> elements of a key help text.
//
// This file holds declarations only: each component's __init__.py prepends
// it to the component's own module (see webapp/components/shared).

const I18N = {
  lang: "en",
  dir: "ltr",
  messages: {},
  plural: (n) => (n !== 1 ? 1 : 0),
  numbers: { group: ",", minus: "-", sizes: [3, 3] },
};

// Take the catalogue of data.i18n (on every render: the same one, mostly).
function useI18n(spec) {
  if (!spec || spec === I18N.spec) return;
  I18N.spec = spec;
  I18N.lang = String(spec.lang || "en");
  I18N.dir = spec.dir === "rtl" ? "rtl" : "ltr";
  I18N.messages = spec.messages || {};
  I18N.plural = pluralRule(spec.plural);
  if (spec.numbers && Array.isArray(spec.numbers.sizes)) I18N.numbers = spec.numbers;
}

// The catalogue's plural rule as a function of n (Python checked that it is
// plain arithmetic on n before sending it).
function pluralRule(expr) {
  if (typeof expr !== "string" || !/^[n0-9\s!=<>&|?:%()+\-*/]+$/.test(expr)) {
    return (n) => (n !== 1 ? 1 : 0);
  }
  try {
    // eslint-disable-next-line no-new-func
    const rule = new Function("n", `return Number(${expr});`);
    return (n) => rule(Math.abs(Math.trunc(n)));
  } catch (err) {
    return (n) => (n !== 1 ? 1 : 0);
  }
}

// A number as the language writes it: 10,000 / 10.000 / 10 000 / 12,34,567.
function showValue(value) {
  if (typeof value !== "number" || !Number.isInteger(value)) return String(value);
  const { group, minus, sizes } = I18N.numbers;
  let digits = String(Math.abs(value));
  const groups = [];
  let size = sizes[0] || 3;
  while (digits.length > size) {
    groups.unshift(digits.slice(-size));
    digits = digits.slice(0, -size);
    size = sizes[1] || size;
  }
  groups.unshift(digits);
  return (value < 0 ? minus : "") + groups.join(group);
}

function fillIn(text, values) {
  return text.replace(/\{(\w+)\}/g, (whole, name) => (
    values && Object.prototype.hasOwnProperty.call(values, name) ? showValue(values[name]) : whole));
}

// A text of the catalogue (the msgid itself if the catalogue lacks it).
function _(msgid, values) {
  const text = I18N.messages[msgid];
  return fillIn(typeof text === "string" && text ? text : msgid, values);
}

// The form of a message for the count n.
function ngettext(singular, plural, n, values) {
  const forms = I18N.messages[singular];
  let text = null;
  if (Array.isArray(forms) && forms.length) {
    text = forms[Math.min(Math.max(I18N.plural(n), 0), forms.length - 1)];
  }
  if (!text) text = n === 1 ? singular : plural;
  return fillIn(text, values);
}

// A grid score with its sign (+4, −4, 0); inside right-to-left text it is
// isolated so that it still reads "+4" (U+2066 ... U+2069).
function scoreText(score) {
  const text = score > 0 ? `+${showValue(score)}` : score < 0 ? `\u2212${showValue(-score)}` : showValue(0);
  return I18N.dir === "rtl" ? `\u2066${text}\u2069` : text;
}

// Put a translated text with {key} fields into `node` as text and <kbd>
// elements: keys maps a field name to the key's name shown in the box.
function keysInto(node, text, keys) {
  node.textContent = "";
  let last = 0;
  text.replace(/\{(\w+)\}/g, (whole, name, at) => {
    node.append(document.createTextNode(text.slice(last, at)));
    if (Object.prototype.hasOwnProperty.call(keys, name)) {
      const kbd = document.createElement("kbd");
      kbd.textContent = keys[name];
      node.append(kbd);
    } else {
      node.append(document.createTextNode(whole));
    }
    last = at + whole.length;
    return whole;
  });
  node.append(document.createTextNode(text.slice(last)));
}
