import { PageSection } from "@patternfly/react-core";

/** Placeholder until this tab is built. */
export default function PowerLevelsTab() {
  return <PageSection>PowerLevelsTab</PageSection>;
}
