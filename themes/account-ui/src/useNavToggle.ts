import { useEffect, useState } from "react";
import { useLocation } from "react-router-dom";

const XL = 1200; // PatternFly's breakpoint above which the sidebar sits beside the page instead of over it

/*
 * The library bundles its own PatternFly, so its masthead toggle (#nav-toggle) and its sidebar cannot reach the page
 * context of our Page: keep the open/closed state here, listen to the toggle's clicks, and let CSS (llm-gateway.css)
 * hide the sidebar through the wrapper's data-open attribute.
 */
export function useNavToggle(): boolean {
  const [open, setOpen] = useState(() => window.innerWidth >= XL);
  const { pathname } = useLocation();

  useEffect(() => {
    const onClick = (event: MouseEvent) => {
      if (event.target instanceof Element && event.target.closest("#nav-toggle")) {
        setOpen((o) => !o);
      }
    };
    let wide = window.innerWidth >= XL;
    const onResize = () => {
      if (wide !== window.innerWidth >= XL) {
        wide = !wide;
        setOpen(wide);
      }
    };
    document.addEventListener("click", onClick);
    window.addEventListener("resize", onResize);
    return () => {
      document.removeEventListener("click", onClick);
      window.removeEventListener("resize", onResize);
    };
  }, []);

  // On narrow screens the menu covers the page: close it once a page is picked.
  useEffect(() => {
    if (window.innerWidth < XL) {
      setOpen(false);
    }
  }, [pathname]);

  useEffect(() => {
    document.getElementById("nav-toggle")?.setAttribute("aria-expanded", String(open));
  });

  return open;
}
