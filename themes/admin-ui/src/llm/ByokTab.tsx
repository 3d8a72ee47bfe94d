import { PageSection } from "@patternfly/react-core";

/** Placeholder until this tab is built. */
export default function ByokTab() {
  return <PageSection>ByokTab</PageSection>;
}
