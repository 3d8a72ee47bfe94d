import { AlertProvider, useAlerts } from "@keycloak/keycloak-ui-shared";
import type { PropsWithChildren } from "react";

/**
 * The stock console's alerts live in its own bundled copy of keycloak-ui-shared, which `useAlerts()` of our copy does
 * not see. This gives the children an AlertProvider of our copy (the same toasts, in the console's alert style)
 * unless one is already above them, in which case it adds nothing.
 */
export const WithAlerts = ({ children }: PropsWithChildren) => {
  let present = true;
  try {
    // Always calls useContext, so the hook order is the same whether or not it throws.
    useAlerts();
  } catch {
    present = false;
  }
  return present ? <>{children}</> : <AlertProvider>{children}</AlertProvider>;
};
