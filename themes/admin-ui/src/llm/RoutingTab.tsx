import { Alert, AlertActionLink, PageSection, Skeleton, Stack, StackItem } from "@patternfly/react-core";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";

import { LLM_NS } from "../i18n";
import { useLlmPage } from "./context";
import { useLoad } from "./hooks";
import { AliasesSection } from "./routing/AliasesSection";
import { FallbackChain } from "./routing/FallbackChain";
import { StrategySection } from "./routing/StrategySection";
import type { RoutingRules } from "./types";
import "./routing/routing.css";

/** The Routing tab: the realm's routing strategy, the fallback chain of its providers, and its model aliases. */
export default function RoutingTab() {
  const { t } = useTranslation(LLM_NS);
  const { api } = useLlmPage();
  const loaded = useLoad((signal) => api.routingRules(signal), [api]);
  // The rules as the last save answered them, until they are loaded again.
  const [rules, setRules] = useState<RoutingRules>();
  useEffect(() => setRules(loaded.value), [loaded.value]);

  let rulesParts;
  if (rules) {
    rulesParts = {
      strategy: <StrategySection rules={rules} onSaved={setRules} />,
      aliases: <AliasesSection rules={rules} onSaved={setRules} />,
    };
  } else if (loaded.error) {
    const failed = (
      <Alert
        variant="danger"
        isInline
        title={t("llmRouteRulesFailed")}
        actionLinks={<AlertActionLink onClick={loaded.reload}>{t("llmRouteRetry")}</AlertActionLink>}
        data-testid="llm-routing-error"
      >
        {loaded.error.message}
      </Alert>
    );
    rulesParts = { strategy: failed, aliases: undefined };
  } else {
    const loading = (
      <div className="llm-route-skeletons">
        <Skeleton height="2rem" width="30%" screenreaderText={t("llmLoading")} />
        <Skeleton height="7rem" />
      </div>
    );
    rulesParts = { strategy: loading, aliases: undefined };
  }

  return (
    <PageSection variant="light" className="llm-routing" data-testid="llm-routing">
      <Stack hasGutter>
        <StackItem>{rulesParts.strategy}</StackItem>
        <StackItem>
          <FallbackChain />
        </StackItem>
        {rulesParts.aliases && <StackItem>{rulesParts.aliases}</StackItem>}
      </Stack>
    </PageSection>
  );
}
