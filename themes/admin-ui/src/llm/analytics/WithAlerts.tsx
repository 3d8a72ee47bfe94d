import { AlertProvider, useAlerts } from "@keycloak/keycloak-ui-shared";
import type { PropsWithChildren } from "react";

/**
 * The stock console's alerts live in the copy of keycloak-ui-shared bundled into the admin console library, whose
 * context `useAlerts()` of our copy does not see. This puts an AlertProvider of our copy (the same toasts, in the
 * console's alert style) above the children, unless one is already there.
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
