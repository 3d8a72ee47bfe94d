import { AlertProvider, useAlerts, type AddAlertFunction, type AlertProps } from "@keycloak/keycloak-ui-shared";
import { useEffect } from "react";
import { createRoot } from "react-dom/client";

/*
 * The stock console's alerts live in its own bundled copy of keycloak-ui-shared, whose context `useAlerts()` of our
 * copy does not see. When no AlertProvider of our copy is above the caller, alerts go to one toast group of our copy
 * mounted once on <body>: the console's alert style, and alerts outlive the dialog that raised them (a provider saved
 * from the dialog reports after the dialog has closed).
 */

let hostAddAlert: AddAlertFunction | undefined;
const waiting: Parameters<AddAlertFunction>[] = [];
let started = false;

const Capture = () => {
  const { addAlert } = useAlerts();
  useEffect(() => {
    hostAddAlert = addAlert;
    waiting.splice(0).forEach((args) => addAlert(...args));
  }, [addAlert]);
  return null;
};

const addToHost: AddAlertFunction = (...args) => {
  if (hostAddAlert) {
    hostAddAlert(...args);
    return;
  }
  waiting.push(args);
  if (!started) {
    started = true;
    const element = document.createElement("div");
    element.className = "llm-alerts-host";
    document.body.appendChild(element);
    createRoot(element).render(
      <AlertProvider>
        <Capture />
      </AlertProvider>,
    );
  }
};

const FALLBACK: Pick<AlertProps, "addAlert"> = { addAlert: addToHost };

/** `useAlerts()` of an AlertProvider above, else the page-wide toast group above. */
export function useLlmAlerts(): Pick<AlertProps, "addAlert"> {
  try {
    // Always calls useContext, so the hook order is the same whether or not it throws.
    return useAlerts();
  } catch {
    return FALLBACK;
  }
}
