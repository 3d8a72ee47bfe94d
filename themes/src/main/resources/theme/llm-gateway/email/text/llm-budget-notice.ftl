<#ftl output_format="plainText">
<#if forAdmin>${msg("llmBudgetNoticeAdminGreeting")}<#else>${msg("llmBudgetNoticeGreeting", firstName)}</#if>

<#if forAdmin>${msg("llmBudgetNoticeAdminUsed", username, spent, budget, threshold, levelName)}<#else>${msg("llmBudgetNoticeUsed", spent, budget, threshold, levelName)}</#if>

<#if threshold gte 100><#if forAdmin>${msg("llmBudgetNoticeAdminExhausted", resetDate)}<#else>${msg("llmBudgetNoticeExhausted", resetDate)}</#if><#else>${msg("llmBudgetNoticeNearly", resetDate)}</#if>

${msg("llmBudgetNoticeFooter", threshold, realmName)}
