import { PageSection } from "@patternfly/react-core";

/** Placeholder until the provider cards are built. */
export const ProvidersTab = () => <PageSection>providers</PageSection>;
