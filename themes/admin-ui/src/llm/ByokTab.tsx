import { PageSection, Stack, StackItem } from "@patternfly/react-core";

import { ByokOverview } from "./byok/ByokOverview";
import { ByokSettingsCard } from "./byok/ByokSettingsCard";
import "./byok/byok.css";

/** Bring your own key: who keeps their own provider keys, what that saved, and the realm's BYOK settings. */
export default function ByokTab() {
  return (
    <PageSection>
      <Stack hasGutter>
        <StackItem>
          <ByokOverview />
        </StackItem>
        <StackItem>
          <ByokSettingsCard />
        </StackItem>
      </Stack>
    </PageSection>
  );
}
