import { useAlerts } from "@keycloak/keycloak-ui-shared";
import {
  Alert,
  AlertActionLink,
  AlertVariant,
  Button,
  Divider,
  Form,
  FormGroup,
  FormHelperText,
  Grid,
  GridItem,
  HelperText,
  HelperTextItem,
  InputGroup,
  InputGroupItem,
  Modal,
  ModalVariant,
  NumberInput,
  Skeleton,
  Switch,
  TextInput,
  Title,
} from "@patternfly/react-core";
import { EyeIcon, EyeSlashIcon } from "@patternfly/react-icons";
import { useCallback, useEffect, useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";

import { LLM_NS } from "../i18n";
import { LlmApiError } from "./api";
import { useLlmPage } from "./context";
import { formatMs } from "./format";
import { LimitFields } from "./limits/LimitFields";
import {
  fromLimitsDraft,
  hasLimits,
  LIMIT_KINDS,
  limitKindOf,
  limitsDraft,
  limitsErrors,
  sameLimits,
  type LimitKind,
  type LimitsDraft,
} from "./limits/limits";
import { defaultProviderName } from "./providers/modelApi";
import { ModelChecklist } from "./providers/ModelChecklist";
import { StatusLabel } from "./providers/ProviderCard";
import { TypeSelect } from "./providers/TypeSelect";
import type { Provider, ProviderInput } from "./types";

export type ProviderModalProps = {
  /** Absent: add a provider; else configure this one. */
  provider?: Provider;
  onClose: () => void;
  /** Called after each successful save (the modal may stay open). */
  onSaved: (provider: Provider) => void;
};

type FieldKey = "type" | "name" | "apiKey" | "baseUrl" | "priority" | LimitKind;

/** The request fields the API names in its errors, as the dialog's fields. */
const FIELDS: Record<string, FieldKey> = {
  type: "type",
  provider: "type",
  name: "name",
  apiKey: "apiKey",
  api_key: "apiKey",
  baseUrl: "baseUrl",
  base_url: "baseUrl",
  priority: "priority",
};

type FormState = {
  type: string;
  name: string;
  apiKey: string;
  baseUrl: string;
  priority: number | "";
  autoFallback: boolean;
  enabled: boolean;
  limits: LimitsDraft;
};

const DEFAULT_TYPE = "openrouter";

/** The base URL field of a saved provider: its own URL, or empty when it uses the type's default. */
const baseUrlOf = (p: Provider) => (p.base_url_overridden || p.type === "custom" ? (p.base_url ?? "") : "");

function formOf(p?: Provider): FormState {
  return p
    ? {
        type: p.type,
        name: p.name,
        apiKey: "",
        baseUrl: baseUrlOf(p),
        priority: p.priority,
        autoFallback: p.auto_fallback,
        enabled: p.enabled,
        limits: limitsDraft(p.limits),
      }
    : {
        type: DEFAULT_TYPE,
        name: "",
        apiKey: "",
        baseUrl: "",
        priority: 50,
        autoFallback: true,
        enabled: true,
        limits: limitsDraft(),
      };
}

type Detail = { value?: Provider; error?: Error; loading: boolean };

/**
 * Add (no provider) or configure a provider. Adding: the provider is created with "Add Provider" (the server tests the
 * key as it saves it), then the dialog stays open on the new provider, now in configure mode, with the models the
 * vendor listed; "Close" ends it. Configuring: provider fields are saved with "Save" (which closes the dialog), each
 * model change at once.
 */
export default function ProviderModal({ provider, onClose, onSaved }: ProviderModalProps) {
  const { t } = useTranslation(LLM_NS);
  const { addAlert } = useAlerts();
  const { api, providers, providerTypes } = useLlmPage();

  // The provider being configured: the one given, or the one this dialog has just added.
  const [current, setCurrent] = useState<Provider | undefined>(provider);
  const [justAdded, setJustAdded] = useState(false);
  const [form, setForm] = useState<FormState>(() => formOf(provider));
  const [nameTouched, setNameTouched] = useState(!!provider);
  const [showKey, setShowKey] = useState(false);
  const [errors, setErrors] = useState<Partial<Record<FieldKey, string>>>({});
  const [testing, setTesting] = useState(false);
  const [test, setTest] = useState<{ success: boolean; text: string }>();
  const [saving, setSaving] = useState(false);
  const [detail, setDetail] = useState<Detail>({ loading: !!provider });

  const types = providerTypes.value ?? [];
  const type = types.find((x) => x.id === form.type);
  const isCustom = form.type === "custom" || (type !== undefined && !type.default_base_url);
  const configuring = current !== undefined;
  const shown = detail.value ?? current;

  const defaultName = defaultProviderName(
    type?.name ?? form.type,
    (providers.value ?? []).map((p) => p.name),
  );
  const name = configuring || nameTouched ? form.name : defaultName;

  const loadDetail = useCallback(
    async (id: string): Promise<Provider | undefined> => {
      setDetail((d) => ({ ...d, loading: true, error: undefined }));
      try {
        const value = await api.provider(id);
        setDetail({ value, loading: false });
        return value;
      } catch (e) {
        setDetail((d) => ({ value: d.value, error: e as Error, loading: false }));
        return undefined;
      }
    },
    [api],
  );

  const currentId = current?.id;
  useEffect(() => {
    if (currentId) void loadDetail(currentId);
  }, [currentId, loadDetail]);

  const set = <K extends keyof FormState>(key: K, value: FormState[K]) => {
    setForm((f) => ({ ...f, [key]: value }));
    setErrors((e) => ({ ...e, [key]: undefined }));
    if (key === "type" || key === "apiKey" || key === "baseUrl") {
      setTest(undefined);
    }
  };

  const setLimit = (kind: LimitKind, value: string) => {
    setForm((f) => ({ ...f, limits: { ...f.limits, [kind]: value } }));
    setErrors((e) => ({ ...e, [kind]: undefined }));
  };

  /** The dialog's field an API error names: a provider field, or one of the rate limits. */
  const fieldOf = (e: unknown): FieldKey | undefined =>
    e instanceof LlmApiError && e.field ? (FIELDS[e.field] ?? limitKindOf(e.field, "limits")) : undefined;

  /** Puts an API refusal at its field (when it names one) and reports it as an alert. */
  const report = (title: string, e: unknown) => {
    const message = (e as Error).message;
    const field = fieldOf(e);
    if (field) setErrors((x) => ({ ...x, [field]: message }));
    addAlert(title, AlertVariant.danger, message);
    return field;
  };

  const testConnection = async () => {
    setTesting(true);
    setTest(undefined);
    try {
      const outcome = await api.testKey(form.type, form.apiKey.trim(), form.baseUrl.trim() || undefined);
      setTest(
        outcome.success
          ? {
              success: true,
              text:
                outcome.models_available === undefined
                  ? t("llmProvTestOk", { latency: formatMs(outcome.latency) })
                  : t("llmProvTestOkModels", { latency: formatMs(outcome.latency), count: outcome.models_available }),
            }
          : { success: false, text: outcome.error ?? t("llmProvTestFailedShort") },
      );
    } catch (e) {
      const message = (e as Error).message;
      const field = fieldOf(e);
      if (field) setErrors((x) => ({ ...x, [field]: message }));
      setTest({ success: false, text: message });
    } finally {
      setTesting(false);
    }
  };

  /** Checks what the browser can; the server checks the rest. */
  const validate = (): boolean => {
    const found: Partial<Record<FieldKey, string>> = {};
    if (!name.trim()) found.name = t("llmProvNameRequired");
    if (!configuring && !form.apiKey.trim()) found.apiKey = t("llmProvKeyRequired");
    if (isCustom && !form.baseUrl.trim()) found.baseUrl = t("llmProvBaseUrlRequired");
    if (form.priority === "" || !Number.isInteger(form.priority) || form.priority < 1 || form.priority > 100) {
      found.priority = t("llmProvPriorityRange");
    }
    for (const [kind, key] of Object.entries(limitsErrors(form.limits))) {
      found[kind as LimitKind] = t(key);
    }
    setErrors(found);
    return Object.keys(found).length === 0;
  };

  const savedAlert = (p: Provider, connectionChecked: boolean, okText: string, errorText: string) => {
    if (connectionChecked && p.status === "error") {
      addAlert(errorText, AlertVariant.warning, p.last_error);
    } else {
      addAlert(okText, AlertVariant.success);
    }
  };

  const add = async () => {
    const input: ProviderInput = {
      type: form.type,
      name: name.trim(),
      apiKey: form.apiKey,
      priority: form.priority === "" ? undefined : form.priority,
      autoFallback: form.autoFallback,
      enabled: form.enabled,
    };
    if (form.baseUrl.trim()) input.baseUrl = form.baseUrl.trim();
    const limits = fromLimitsDraft(form.limits);
    if (hasLimits(limits)) input.limits = limits;
    const p = await api.createProvider(input);
    savedAlert(p, true, t("llmProvAdded", { name: p.name }), t("llmProvAddedWithError", { name: p.name }));
    onSaved(p);
    // Stay open on the new provider: its models are known now.
    setCurrent(p);
    setJustAdded(true);
    setForm(formOf(p));
    setNameTouched(true);
    setShowKey(false);
    setTest(undefined);
  };

  const update = async (c: Provider) => {
    const input: ProviderInput = {};
    if (name.trim() !== c.name) input.name = name.trim();
    if (form.apiKey.trim()) input.apiKey = form.apiKey;
    if (form.baseUrl.trim() !== baseUrlOf(c)) input.baseUrl = form.baseUrl.trim() || null;
    if (form.priority !== c.priority && form.priority !== "") input.priority = form.priority;
    if (form.autoFallback !== c.auto_fallback) input.autoFallback = form.autoFallback;
    if (form.enabled !== c.enabled) input.enabled = form.enabled;
    const limits = fromLimitsDraft(form.limits);
    if (!sameLimits(limits, c.limits)) input.limits = limits;
    if (Object.keys(input).length === 0) {
      onClose();
      return;
    }
    const p = await api.updateProvider(c.id, input);
    savedAlert(
      p,
      input.apiKey !== undefined || input.baseUrl !== undefined,
      t("llmProvSaved", { name: p.name }),
      t("llmProvSavedWithError", { name: p.name }),
    );
    onSaved(p);
    onClose();
  };

  const save = async () => {
    if (!validate()) {
      return;
    }
    setSaving(true);
    try {
      await (current ? update(current) : add());
    } catch (e) {
      report(current ? t("llmProvSaveFailed", { name: current.name }) : t("llmProvAddFailed"), e);
    } finally {
      setSaving(false);
    }
  };

  const fieldHelp = (key: FieldKey, help?: ReactNode) =>
    errors[key] || help ? (
      <FormHelperText>
        <HelperText>
          <HelperTextItem variant={errors[key] ? "error" : "default"} data-testid={`llm-provider-${key}-help`}>
            {errors[key] ?? help}
          </HelperTextItem>
        </HelperText>
      </FormHelperText>
    ) : null;

  const title = current ? t("llmProvConfigureTitle", { name: current.name }) : t("llmAddProvider");

  return (
    <Modal
      isOpen
      variant={ModalVariant.medium}
      position="top"
      title={title}
      description={current ? current.type_name : t("llmProvAddDescription")}
      onClose={onClose}
      data-testid="llm-provider-modal"
      data-mode={current ? "configure" : "add"}
      actions={[
        <Button
          key="save"
          variant="primary"
          onClick={() => void save()}
          isLoading={saving}
          isDisabled={saving || (!current && !providerTypes.value)}
          data-testid="llm-provider-save"
        >
          {current ? t("llmProvSave") : t("llmAddProvider")}
        </Button>,
        <Button key="cancel" variant="link" onClick={onClose} data-testid="llm-provider-cancel">
          {justAdded ? t("llmProvClose") : t("llmProvCancel")}
        </Button>,
      ]}
    >
      {justAdded && current && (
        <Alert
          isInline
          variant="success"
          title={t("llmProvAddedStep", { name: current.name })}
          className="llm-provider-modal__notice"
          data-testid="llm-provider-added"
        />
      )}
      {shown && shown.status === "error" && (
        <Alert
          isInline
          variant="danger"
          title={t("llmProvStatusErrorTitle")}
          className="llm-provider-modal__notice"
          data-testid="llm-provider-modal-error"
        >
          {shown.last_error ?? t("llmProvStatusErrorUnknown")}
        </Alert>
      )}
      {providerTypes.error && !providerTypes.value && (
        <Alert
          isInline
          variant="danger"
          title={t("llmProvTypesFailed")}
          actionLinks={<AlertActionLink onClick={providerTypes.reload}>{t("llmProvRetry")}</AlertActionLink>}
          className="llm-provider-modal__notice"
        >
          {providerTypes.error.message}
        </Alert>
      )}
      <Form id="llm-provider-form" onSubmit={(e) => e.preventDefault()} data-testid="llm-provider-form">
        <Grid hasGutter>
          <GridItem span={12} md={6}>
            <FormGroup label={t("llmProvType")} fieldId="llm-provider-type" isRequired={!current}>
              {providerTypes.value ? (
                <TypeSelect
                  id="llm-provider-type"
                  types={types}
                  value={form.type}
                  onChange={(v) => set("type", v)}
                  isDisabled={!!current}
                  isInvalid={!!errors.type}
                />
              ) : (
                <Skeleton height="36px" screenreaderText={t("llmLoading")} />
              )}
              {fieldHelp("type", current ? t("llmProvTypeFixed") : undefined)}
            </FormGroup>
          </GridItem>
          <GridItem span={12} md={6}>
            <FormGroup label={t("llmProvName")} fieldId="llm-provider-name" isRequired>
              <TextInput
                id="llm-provider-name"
                value={name}
                onChange={(_e, v) => {
                  setNameTouched(true);
                  set("name", v);
                }}
                validated={errors.name ? "error" : "default"}
                maxLength={255}
                data-testid="llm-provider-name"
              />
              {fieldHelp("name")}
            </FormGroup>
          </GridItem>
          <GridItem span={12}>
            <FormGroup label={t("llmProvApiKey")} fieldId="llm-provider-key" isRequired={!current}>
              <InputGroup>
                <InputGroupItem isFill>
                  <TextInput
                    id="llm-provider-key"
                    type={showKey ? "text" : "password"}
                    value={form.apiKey}
                    onChange={(_e, v) => set("apiKey", v)}
                    placeholder={current?.api_key_hint ? t("llmProvKeyKeep", { hint: current.api_key_hint }) : "sk-..."}
                    autoComplete="new-password"
                    spellCheck={false}
                    validated={errors.apiKey ? "error" : "default"}
                    data-testid="llm-provider-key"
                  />
                </InputGroupItem>
                <InputGroupItem>
                  <Button
                    variant="control"
                    onClick={() => setShowKey((s) => !s)}
                    aria-label={showKey ? t("llmProvHideKey") : t("llmProvShowKey")}
                    aria-pressed={showKey}
                    icon={showKey ? <EyeSlashIcon /> : <EyeIcon />}
                    data-testid="llm-provider-key-visibility"
                  />
                </InputGroupItem>
                <InputGroupItem>
                  <Button
                    variant="secondary"
                    onClick={() => void testConnection()}
                    isDisabled={!form.apiKey.trim() || testing}
                    isLoading={testing ? true : undefined}
                    data-testid="llm-provider-test-connection"
                  >
                    {testing ? t("llmProvTesting") : t("llmProvTestConnection")}
                  </Button>
                </InputGroupItem>
              </InputGroup>
              {fieldHelp(
                "apiKey",
                current?.api_key_hint ? t("llmProvKeyStored", { hint: current.api_key_hint }) : undefined,
              )}
              {test && (
                <Alert
                  isInline
                  isPlain
                  variant={test.success ? "success" : "danger"}
                  title={test.success ? t("llmProvConnectionOk") : t("llmProvConnectionFailed")}
                  className="llm-provider-modal__test"
                  data-testid="llm-provider-test-connection-result"
                  data-success={String(test.success)}
                  aria-live="polite"
                >
                  {test.text}
                </Alert>
              )}
            </FormGroup>
          </GridItem>
          <GridItem span={12}>
            <FormGroup label={t("llmProvBaseUrl")} fieldId="llm-provider-base-url" isRequired={isCustom}>
              <TextInput
                id="llm-provider-base-url"
                type="url"
                value={form.baseUrl}
                onChange={(_e, v) => set("baseUrl", v)}
                placeholder={type?.default_base_url ?? "https://"}
                validated={errors.baseUrl ? "error" : "default"}
                data-testid="llm-provider-base-url"
              />
              {fieldHelp(
                "baseUrl",
                isCustom
                  ? t("llmProvBaseUrlCustomHelp")
                  : t("llmProvBaseUrlHelp", { url: type?.default_base_url ?? "" }),
              )}
            </FormGroup>
          </GridItem>
          <GridItem span={12} md={4}>
            <FormGroup label={t("llmProvPriorityLabel")} fieldId="llm-provider-priority" isRequired>
              <NumberInput
                value={form.priority}
                min={1}
                max={100}
                onMinus={() => set("priority", Math.max(1, (form.priority || 50) - 1))}
                onPlus={() => set("priority", Math.min(100, (form.priority || 50) + 1))}
                onChange={(e) => {
                  const v = (e.target as HTMLInputElement).value;
                  set("priority", v === "" ? "" : Number(v));
                }}
                inputName="priority"
                inputAriaLabel={t("llmProvPriorityLabel")}
                minusBtnAriaLabel={t("llmProvPriorityMinus")}
                plusBtnAriaLabel={t("llmProvPriorityPlus")}
                validated={errors.priority ? "error" : "default"}
                inputProps={{ id: "llm-provider-priority", "data-testid": "llm-provider-priority" }}
                widthChars={4}
              />
              {fieldHelp("priority", t("llmProvPriorityHelp"))}
            </FormGroup>
          </GridItem>
          <GridItem span={12} md={8}>
            <FormGroup label={t("llmProvOptions")} fieldId="llm-provider-auto-fallback" role="group">
              <Switch
                id="llm-provider-auto-fallback"
                label={t("llmProvAutoFallback")}
                isChecked={form.autoFallback}
                onChange={(_e, v) => set("autoFallback", v)}
                data-testid="llm-provider-auto-fallback"
              />
              <Switch
                id="llm-provider-enabled"
                className="llm-provider-modal__switch"
                label={t("llmProvEnabled")}
                isChecked={form.enabled}
                onChange={(_e, v) => set("enabled", v)}
                data-testid="llm-provider-enabled"
              />
            </FormGroup>
          </GridItem>
          <GridItem span={12}>
            <LimitFields
              idPrefix="llm-provider"
              title={t("llmProvLimitsTitle")}
              description={t("llmProvLimitsHelp")}
              values={form.limits}
              errors={Object.fromEntries(LIMIT_KINDS.map((k) => [k, errors[k]]))}
              onChange={setLimit}
            />
          </GridItem>
        </Grid>
      </Form>
      <Divider className="llm-provider-modal__divider" />
      <section className="llm-provider-modal__models" data-testid="llm-provider-models">
        <div className="llm-provider-modal__models-head">
          <Title headingLevel="h3" size="md">
            {t("llmProvModels")}
            {shown?.models &&
              ` (${t("llmProvModelsEnabled", {
                enabled: shown.models.filter((m) => m.enabled).length,
                total: shown.models.length,
              })})`}
          </Title>
          {shown && <StatusLabel provider={shown} />}
        </div>
        {!current ? (
          <HelperText data-testid="llm-provider-models-later">
            <HelperTextItem>{t("llmProvModelsAfterAdd")}</HelperTextItem>
          </HelperText>
        ) : detail.error && !detail.value ? (
          <Alert
            isInline
            variant="danger"
            title={t("llmProvModelsFailed")}
            actionLinks={
              <AlertActionLink onClick={() => void loadDetail(current.id)}>{t("llmProvRetry")}</AlertActionLink>
            }
          >
            {detail.error.message}
          </Alert>
        ) : !detail.value ? (
          <>
            <Skeleton width="90%" screenreaderText={t("llmLoading")} />
            <br />
            <Skeleton width="75%" />
          </>
        ) : (
          <>
            <HelperText className="llm-provider-modal__models-help">
              <HelperTextItem>{t("llmProvModelsHelp")}</HelperTextItem>
            </HelperText>
            <ModelChecklist
              providerId={current.id}
              models={detail.value.models ?? []}
              onChanged={() =>
                void loadDetail(current.id).then((fresh) => {
                  if (fresh) onSaved(fresh);
                })
              }
            />
          </>
        )}
      </section>
    </Modal>
  );
}
