import { Label } from "@patternfly/react-core";
import type { ReactNode } from "react";

/** A provider type as a compact label with the vendor's colour as a dot. */
export const TypeLabel = ({ name, color, children }: { name: string; color?: string; children?: ReactNode }) => (
  <Label isCompact variant="outline" className="llm-byok-type-label">
    {color && <span className="llm-byok-type-label__dot" style={{ background: color }} aria-hidden />}
    {name}
    {children}
  </Label>
);
