import { PageSection } from "@patternfly/react-core";

/** Placeholder until this tab is built. */
export default function RoutingTab() {
  return <PageSection>RoutingTab</PageSection>;
}
