<#ftl output_format="HTML">
<html>
<body style="font-family: sans-serif; color: #151515;">
<p><#if forAdmin>${msg("llmBudgetNoticeAdminGreeting")}<#else>${msg("llmBudgetNoticeGreeting", firstName)}</#if></p>
<p><strong><#if forAdmin>${msg("llmBudgetNoticeAdminUsed", username, spent, budget, threshold, levelName)}<#else>${msg("llmBudgetNoticeUsed", spent, budget, threshold, levelName)}</#if></strong></p>
<p><#if threshold gte 100><#if forAdmin>${msg("llmBudgetNoticeAdminExhausted", resetDate)}<#else>${msg("llmBudgetNoticeExhausted", resetDate)}</#if><#else>${msg("llmBudgetNoticeNearly", resetDate)}</#if></p>
<p style="color: #6a6e73; font-size: smaller;">${msg("llmBudgetNoticeFooter", threshold, realmName)}</p>
</body>
</html>
