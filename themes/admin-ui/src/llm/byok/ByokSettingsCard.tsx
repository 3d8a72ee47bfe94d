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
  Checkbox,
  DescriptionList,
  DescriptionListDescription,
  DescriptionListGroup,
  DescriptionListTerm,
  Form,
  FormGroup,
  FormHelperText,
  HelperText,
  HelperTextItem,
  LabelGroup,
  Skeleton,
  Switch,
  Text,
  TextContent,
} from "@patternfly/react-core";
import { useEffect, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";

import { LLM_NS } from "../../i18n";
import { LlmApiError } from "../api";
import { useLlmPage } from "../context";
import { useLoad } from "../hooks";
import type { ByokSettings } from "../types";
import { TypeLabel } from "./TypeLabel";
import { sortTypes, typeInfo } from "./typeNames";

/** What the form edits: every configured type (null) or a chosen list, and the fallback. */
type Draft = { types: string[] | null; fallback: boolean };

const toDraft = (s: ByokSettings): Draft => ({
  types: s.provider_types ?? null,
  fallback: s.fallback_to_organization_key,
});

const same = (a: Draft, b: Draft) =>
  a.fallback === b.fallback &&
  (a.types === null || b.types === null
    ? a.types === b.types
    : a.types.length === b.types.length && a.types.every((t) => b.types!.includes(t)));

/** The realm's BYOK settings: which provider types users may bring keys for, and the fallback to the realm's key. */
export const ByokSettingsCard = () => {
  const { t } = useTranslation(LLM_NS);
  const { addAlert } = useAlerts();
  const { api, canManage, providers, providerTypes } = useLlmPage();
  const settings = useLoad((signal) => api.byokSettings(signal), [api]);
  const [saved, setSaved] = useState<ByokSettings>();
  const [draft, setDraft] = useState<Draft>();
  const [saving, setSaving] = useState(false);
  const [fieldError, setFieldError] = useState<{ field?: string; message: string }>();

  useEffect(() => {
    if (settings.value) {
      setSaved(settings.value);
      setDraft(toDraft(settings.value));
    }
  }, [settings.value]);

  // The types the realm has providers of, plus any still chosen though their providers are gone.
  const configured = useMemo(
    () =>
      sortTypes(
        providerTypes.value,
        (providers.value ?? []).map((p) => p.type),
      ),
    [providers.value, providerTypes.value],
  );
  const choices = useMemo(
    () =>
      sortTypes(providerTypes.value, [
        ...configured,
        ...(draft?.types ?? []),
        ...(saved?.provider_types ?? []),
        ...(providers.value ? [] : (saved?.offered_types ?? [])),
      ]),
    [configured, draft?.types, saved, providers.value, providerTypes.value],
  );

  if (!saved || !draft) {
    return (
      <Card data-testid="llm-byok-settings">
        <CardHeader>
          <CardTitle>{t("llmByokSettingsTitle")}</CardTitle>
        </CardHeader>
        <CardBody>
          {settings.error ? (
            <Alert
              variant="danger"
              isInline
              title={t("llmByokSettingsFailed")}
              actionLinks={<AlertActionLink onClick={settings.reload}>{t("llmByokRetry")}</AlertActionLink>}
              data-testid="llm-byok-settings-error"
            >
              {settings.error.message}
            </Alert>
          ) : (
            <>
              <Skeleton width="60%" screenreaderText={t("llmLoading")} />
              <br />
              <Skeleton width="40%" />
            </>
          )}
        </CardBody>
      </Card>
    );
  }

  const dirty = !same(draft, toDraft(saved));
  const offered = (
    <LabelGroup numLabels={9} data-testid="llm-byok-offered">
      {saved.offered_types.map((type) => (
        <TypeLabel key={type} {...typeInfo(providerTypes.value, type)} />
      ))}
    </LabelGroup>
  );

  const save = async () => {
    setSaving(true);
    setFieldError(undefined);
    try {
      const next = await api.updateByokSettings({
        provider_types: draft.types,
        fallback_to_organization_key: draft.fallback,
      } as Partial<Pick<ByokSettings, "provider_types" | "fallback_to_organization_key">>);
      setSaved(next);
      setDraft(toDraft(next));
      addAlert(t("llmByokSettingsSaved"), AlertVariant.success);
    } catch (error) {
      const e = error as Error;
      setFieldError({ field: e instanceof LlmApiError ? e.field : undefined, message: e.message });
      addAlert(t("llmByokSettingsSaveFailed"), AlertVariant.danger, e.message);
    } finally {
      setSaving(false);
    }
  };

  const toggleType = (type: string, checked: boolean) => {
    // Unticking a type while "every type" is on chooses every configured type but that one.
    const current = draft.types ?? configured;
    const types = checked ? [...current.filter((x) => x !== type), type] : current.filter((x) => x !== type);
    setDraft({ ...draft, types: sortTypes(providerTypes.value, types) });
  };

  const typeName = (type: string) => typeInfo(providerTypes.value, type).name;

  return (
    <Card data-testid="llm-byok-settings">
      <CardHeader>
        <CardTitle>{t("llmByokSettingsTitle")}</CardTitle>
        <TextContent>
          <Text component="small">{t("llmByokSettingsDescription")}</Text>
        </TextContent>
      </CardHeader>
      <CardBody>
        {settings.error && (
          <Alert
            variant="warning"
            isInline
            isPlain
            title={t("llmByokSettingsReloadFailed")}
            actionLinks={<AlertActionLink onClick={settings.reload}>{t("llmByokRetry")}</AlertActionLink>}
          >
            {settings.error.message}
          </Alert>
        )}
        {!canManage ? (
          <DescriptionList isHorizontal isCompact horizontalTermWidthModifier={{ default: "18rem" }}>
            <DescriptionListGroup>
              <DescriptionListTerm>{t("llmByokTypes")}</DescriptionListTerm>
              <DescriptionListDescription data-testid="llm-byok-types-value">
                {saved.provider_types == null ? (
                  t("llmByokAllTypes")
                ) : saved.provider_types.length === 0 ? (
                  t("llmByokNoTypes")
                ) : (
                  <LabelGroup numLabels={9}>
                    {saved.provider_types.map((type) => (
                      <TypeLabel key={type} {...typeInfo(providerTypes.value, type)} />
                    ))}
                  </LabelGroup>
                )}
              </DescriptionListDescription>
            </DescriptionListGroup>
            <DescriptionListGroup>
              <DescriptionListTerm>{t("llmByokFallback")}</DescriptionListTerm>
              <DescriptionListDescription data-testid="llm-byok-fallback-value">
                {saved.fallback_to_organization_key ? t("llmByokOn") : t("llmByokOff")}
              </DescriptionListDescription>
            </DescriptionListGroup>
            <DescriptionListGroup>
              <DescriptionListTerm>{t("llmByokOffered")}</DescriptionListTerm>
              <DescriptionListDescription>
                {saved.offered_types.length ? offered : t("llmByokNoneOffered")}
              </DescriptionListDescription>
            </DescriptionListGroup>
          </DescriptionList>
        ) : (
          <Form
            onSubmit={(e) => {
              e.preventDefault();
              void save();
            }}
          >
            <FormGroup role="group" isStack label={t("llmByokTypes")} fieldId="llm-byok-all-types">
              <Checkbox
                id="llm-byok-all-types"
                label={t("llmByokAllTypes")}
                description={t("llmByokAllTypesHelp")}
                isChecked={draft.types === null}
                onChange={(_e, checked) => setDraft({ ...draft, types: checked ? null : [...configured] })}
                data-testid="llm-byok-all-types"
              />
              <div className="llm-byok-types">
                {choices.map((type) => (
                  <Checkbox
                    key={type}
                    id={`llm-byok-type-${type}`}
                    label={
                      configured.includes(type) || !providers.value
                        ? typeName(type)
                        : t("llmByokTypeNoProvider", { name: typeName(type) })
                    }
                    isChecked={draft.types === null ? configured.includes(type) : draft.types.includes(type)}
                    onChange={(_e, checked) => toggleType(type, checked)}
                    data-testid={`llm-byok-type-${type}`}
                  />
                ))}
                {choices.length === 0 && (
                  <Text component="small" className="llm-byok-muted">
                    {t("llmByokNoProviders")}
                  </Text>
                )}
              </div>
              <FormHelperText>
                <HelperText>
                  {fieldError?.field === "provider_types" ? (
                    <HelperTextItem variant="error" data-testid="llm-byok-types-error">
                      {fieldError.message}
                    </HelperTextItem>
                  ) : draft.types !== null && draft.types.length === 0 ? (
                    <HelperTextItem variant="warning">{t("llmByokNoTypesWarning")}</HelperTextItem>
                  ) : (
                    <HelperTextItem>{t("llmByokTypesHelp")}</HelperTextItem>
                  )}
                </HelperText>
              </FormHelperText>
            </FormGroup>
            <FormGroup label={t("llmByokFallback")} fieldId="llm-byok-fallback" hasNoPaddingTop>
              <Switch
                id="llm-byok-fallback"
                label={t("llmByokOn")}
                labelOff={t("llmByokOff")}
                isChecked={draft.fallback}
                onChange={(_e, checked) => setDraft({ ...draft, fallback: checked })}
                data-testid="llm-byok-fallback"
              />
              <FormHelperText>
                <HelperText>
                  {fieldError?.field === "fallback_to_organization_key" ? (
                    <HelperTextItem variant="error">{fieldError.message}</HelperTextItem>
                  ) : (
                    <HelperTextItem>{t("llmByokFallbackHelp")}</HelperTextItem>
                  )}
                </HelperText>
              </FormHelperText>
            </FormGroup>
            <FormGroup label={t("llmByokOffered")} fieldId="llm-byok-offered">
              {saved.offered_types.length ? offered : <Text component="small">{t("llmByokNoneOffered")}</Text>}
              <FormHelperText>
                <HelperText>
                  <HelperTextItem>{t("llmByokOfferedHelp")}</HelperTextItem>
                </HelperText>
              </FormHelperText>
            </FormGroup>
            <ActionGroup>
              <Button
                type="submit"
                variant="primary"
                isDisabled={!dirty || saving}
                isLoading={saving}
                data-testid="llm-byok-save"
              >
                {t("llmByokSave")}
              </Button>
              <Button
                variant="link"
                isDisabled={!dirty || saving}
                onClick={() => {
                  setDraft(toDraft(saved));
                  setFieldError(undefined);
                }}
                data-testid="llm-byok-revert"
              >
                {t("llmByokRevert")}
              </Button>
            </ActionGroup>
          </Form>
        )}
      </CardBody>
    </Card>
  );
};
