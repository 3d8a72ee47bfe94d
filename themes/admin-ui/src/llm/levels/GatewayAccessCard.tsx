import { useAlerts } from "@keycloak/keycloak-ui-shared";
import {
  ActionGroup,
  Alert,
  AlertActionLink,
  AlertVariant,
  Button,
  Card,
  CardBody,
  CardHeader,
  CardTitle,
  DescriptionList,
  DescriptionListDescription,
  DescriptionListGroup,
  DescriptionListTerm,
  Form,
  FormGroup,
  FormHelperText,
  HelperText,
  HelperTextItem,
  Label,
  Skeleton,
  Text,
  TextContent,
  TextInput,
} from "@patternfly/react-core";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";

import { LLM_NS } from "../../i18n";
import { LlmApiError } from "../api";
import { useLlmPage } from "../context";
import { useLoad } from "../hooks";
import type { GatewayAccess } from "../types";

/** The three conditions as the form edits them: empty text means "not required". */
type Draft = { role: string; scope: string; audience: string };

const FIELDS = [
  { key: "role", api: "require_role" },
  { key: "scope", api: "require_scope" },
  { key: "audience", api: "require_audience" },
] as const;

const toDraft = (a: GatewayAccess): Draft => ({
  role: a.require_role ?? "",
  scope: a.require_scope ?? "",
  audience: a.require_audience ?? "",
});

const orNull = (s: string) => (s.trim() === "" ? null : s.trim());

/** Who may call the realm's gateway and /me: anyone signed in (the default), or only callers meeting the conditions. */
export const GatewayAccessCard = () => {
  const { t } = useTranslation(LLM_NS);
  const { addAlert } = useAlerts();
  const { api, canManage } = useLlmPage();
  const loaded = useLoad((signal) => api.gatewayAccess(signal), [api]);
  const [saved, setSaved] = useState<GatewayAccess>();
  const [draft, setDraft] = useState<Draft>();
  const [saving, setSaving] = useState(false);
  const [fieldError, setFieldError] = useState<{ field?: string; message: string }>();

  useEffect(() => {
    if (loaded.value) {
      setSaved(loaded.value);
      setDraft(toDraft(loaded.value));
    }
  }, [loaded.value]);

  const header = (
    <CardHeader>
      <CardTitle>
        {t("llmAccessTitle")}{" "}
        {saved && (
          <Label color={saved.open ? "blue" : "orange"} isCompact data-testid="llm-access-state">
            {saved.open ? t("llmAccessOpen") : t("llmAccessRestricted")}
          </Label>
        )}
      </CardTitle>
      <TextContent>
        <Text component="small">{t("llmAccessDescription")}</Text>
      </TextContent>
    </CardHeader>
  );

  if (!saved || !draft) {
    return (
      <Card data-testid="llm-access">
        {header}
        <CardBody>
          {loaded.error ? (
            <Alert
              variant="danger"
              isInline
              title={t("llmAccessFailed")}
              actionLinks={<AlertActionLink onClick={loaded.reload}>{t("llmLevelRetry")}</AlertActionLink>}
              data-testid="llm-access-error"
            >
              {loaded.error.message}
            </Alert>
          ) : (
            <Skeleton width="60%" screenreaderText={t("llmLoading")} />
          )}
        </CardBody>
      </Card>
    );
  }

  const initial = toDraft(saved);
  const dirty = FIELDS.some((f) => draft[f.key].trim() !== initial[f.key]);

  const save = async () => {
    setSaving(true);
    setFieldError(undefined);
    try {
      const next = await api.updateGatewayAccess({
        require_role: orNull(draft.role),
        require_scope: orNull(draft.scope),
        require_audience: orNull(draft.audience),
      });
      setSaved(next);
      setDraft(toDraft(next));
      addAlert(t("llmAccessSaved"), AlertVariant.success);
    } catch (error) {
      const e = error as Error;
      setFieldError({ field: e instanceof LlmApiError ? e.field : undefined, message: e.message });
      addAlert(t("llmAccessSaveFailed"), AlertVariant.danger, e.message);
    } finally {
      setSaving(false);
    }
  };

  return (
    <Card data-testid="llm-access">
      {header}
      <CardBody>
        {!canManage ? (
          <DescriptionList isHorizontal isCompact horizontalTermWidthModifier={{ default: "14rem" }}>
            {FIELDS.map((f) => (
              <DescriptionListGroup key={f.key}>
                <DescriptionListTerm>{t(`llmAccess_${f.key}`)}</DescriptionListTerm>
                <DescriptionListDescription data-testid={`llm-access-${f.key}-value`}>
                  {saved[f.api] ?? t("llmAccessNotRequired")}
                </DescriptionListDescription>
              </DescriptionListGroup>
            ))}
          </DescriptionList>
        ) : (
          <Form
            onSubmit={(e) => {
              e.preventDefault();
              void save();
            }}
          >
            {FIELDS.map((f) => {
              const error = fieldError?.field === f.api ? fieldError.message : undefined;
              return (
                <FormGroup key={f.key} label={t(`llmAccess_${f.key}`)} fieldId={`llm-access-${f.key}`}>
                  <TextInput
                    id={`llm-access-${f.key}`}
                    value={draft[f.key]}
                    placeholder={t("llmAccessNotRequired")}
                    validated={error ? "error" : "default"}
                    onChange={(_e, value) => setDraft({ ...draft, [f.key]: value })}
                    data-testid={`llm-access-${f.key}`}
                  />
                  <FormHelperText>
                    <HelperText>
                      {error ? (
                        <HelperTextItem variant="error" data-testid={`llm-access-${f.key}-error`}>
                          {error}
                        </HelperTextItem>
                      ) : (
                        <HelperTextItem>{t(`llmAccess_${f.key}Help`)}</HelperTextItem>
                      )}
                    </HelperText>
                  </FormHelperText>
                </FormGroup>
              );
            })}
            <ActionGroup>
              <Button
                type="submit"
                variant="primary"
                isDisabled={!dirty || saving}
                isLoading={saving}
                data-testid="llm-access-save"
              >
                {t("llmAccessSave")}
              </Button>
              <Button
                variant="link"
                isDisabled={!dirty || saving}
                onClick={() => {
                  setDraft(toDraft(saved));
                  setFieldError(undefined);
                }}
                data-testid="llm-access-revert"
              >
                {t("llmAccessRevert")}
              </Button>
            </ActionGroup>
          </Form>
        )}
      </CardBody>
    </Card>
  );
};
