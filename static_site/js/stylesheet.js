// A stylesheet only some pages need (css/office.css), added to the page once, when the
// first of them opens: the evaluation page's first load does not carry it. Resolves
// once it applies (or failed), so a page never shows unstyled.

const loading = new Map();

export function useStylesheet(href) {
  if (!loading.has(href)) {
    loading.set(href, new Promise((resolve) => {
      const link = document.createElement("link");
      link.rel = "stylesheet";
      link.href = href;
      link.addEventListener("load", resolve, { once: true });
      link.addEventListener("error", resolve, { once: true });
      document.head.append(link);
    }));
  }
  return loading.get(href);
}
