import {
  Alert,
  Button,
  Checkbox,
  Form,
  FormGroup,
  FormHelperText,
  HelperText,
  HelperTextItem,
  InputGroup,
  InputGroupItem,
  InputGroupText,
  Modal,
  ModalVariant,
  TextArea,
  TextInput,
} from "@patternfly/react-core";
import { useState, type FormEvent, type ReactNode } from "react";
import { useTranslation } from "react-i18next";

import { LLM_NS } from "../../i18n";
import { LlmApiError } from "../api";
import { LimitFields } from "../limits/LimitFields";
import { LIMIT_KINDS } from "../limits/limits";
import type { PowerLevel } from "../types";
import {
  COLOR_PATTERN,
  draftFieldOf,
  EMPTY_DRAFT,
  fromDraft,
  slug,
  toDraft,
  validate,
  type DraftErrors,
  type DraftField,
  type LevelDraft,
} from "./levels";

type Props = {
  /** The level being edited; absent: a new one. */
  level?: PowerLevel;
  /** Its place in the list (a new level goes last, as the highest), for the API's field errors. */
  index: number;
  isDefault: boolean;
  /** The ids of the other levels. */
  otherIds: string[];
  /** Saves the whole list; rejects with the API's error. */
  onSave: (level: PowerLevel, makeDefault: boolean) => Promise<void>;
  onClose: () => void;
};

/** Add or edit one power level. */
export const LevelFormModal = ({ level, index, isDefault, otherIds, onSave, onClose }: Props) => {
  const { t } = useTranslation(LLM_NS);
  const adding = level === undefined;
  const [draft, setDraft] = useState<LevelDraft>(level ? toDraft(level) : EMPTY_DRAFT);
  const [idTouched, setIdTouched] = useState(!adding);
  const [makeDefault, setMakeDefault] = useState(isDefault);
  const [errors, setErrors] = useState<DraftErrors>({});
  const [apiErrors, setApiErrors] = useState<Partial<Record<DraftField, string>>>({});
  const [formError, setFormError] = useState<string>();
  const [saving, setSaving] = useState(false);
  const [submitted, setSubmitted] = useState(false);

  const set = (field: DraftField, value: string) => {
    const next = { ...draft, [field]: value };
    if (field === "name" && !idTouched) {
      next.id = slug(value);
    }
    if (field === "id") {
      setIdTouched(true);
    }
    setDraft(next);
    setApiErrors((e) => ({ ...e, [field]: undefined }));
    if (submitted) {
      setErrors(validate(next, otherIds));
    }
  };

  const submit = async (event?: FormEvent) => {
    event?.preventDefault();
    setSubmitted(true);
    const found = validate(draft, otherIds);
    setErrors(found);
    setFormError(undefined);
    if (Object.keys(found).length > 0) {
      return;
    }
    setSaving(true);
    try {
      await onSave(fromDraft(draft), makeDefault);
    } catch (error) {
      const e = error as Error;
      const field = e instanceof LlmApiError ? draftFieldOf(e.field, index) : undefined;
      if (field) {
        setApiErrors({ [field]: e.message });
      } else {
        setFormError(e.message);
      }
    } finally {
      setSaving(false);
    }
  };

  const error = (field: DraftField): string | undefined => apiErrors[field] ?? (errors[field] && t(errors[field]!));
  const validated = (field: DraftField) => (error(field) ? "error" : "default");
  const helper = (field: DraftField, hint?: ReactNode) => {
    const message = error(field);
    if (!message && !hint) {
      return null;
    }
    return (
      <FormHelperText>
        <HelperText>
          {message ? (
            <HelperTextItem variant="error" data-testid={`llm-level-${field}-error`}>
              {message}
            </HelperTextItem>
          ) : (
            <HelperTextItem>{hint}</HelperTextItem>
          )}
        </HelperText>
      </FormHelperText>
    );
  };

  const swatch = COLOR_PATTERN.test(draft.color.trim()) ? draft.color.trim() : "#6366F1";

  return (
    <Modal
      variant={ModalVariant.medium}
      title={adding ? t("llmLevelAddTitle") : t("llmLevelEditTitle", { name: level.name })}
      isOpen
      onClose={onClose}
      data-testid="llm-level-modal"
      actions={[
        <Button
          key="save"
          variant="primary"
          type="submit"
          form="llm-level-form"
          isLoading={saving}
          isDisabled={saving}
          data-testid="llm-level-save"
        >
          {t("llmLevelSave")}
        </Button>,
        <Button key="cancel" variant="link" onClick={onClose} data-testid="llm-level-cancel">
          {t("llmLevelCancel")}
        </Button>,
      ]}
    >
      <Form id="llm-level-form" onSubmit={submit} data-testid="llm-level-form">
        {formError && (
          <Alert variant="danger" isInline title={t("llmLevelSaveFailed")} data-testid="llm-level-form-error">
            {formError}
          </Alert>
        )}
        <FormGroup label={t("llmLevelName")} isRequired fieldId="llm-level-name">
          <TextInput
            id="llm-level-name"
            value={draft.name}
            onChange={(_e, v) => set("name", v)}
            validated={validated("name")}
            isRequired
            autoFocus
            data-testid="llm-level-name"
          />
          {helper("name")}
        </FormGroup>
        <FormGroup label={t("llmLevelId")} isRequired fieldId="llm-level-id">
          <TextInput
            id="llm-level-id"
            value={draft.id}
            onChange={(_e, v) => set("id", v)}
            validated={validated("id")}
            readOnlyVariant={adding ? undefined : "default"}
            isRequired
            data-testid="llm-level-id"
          />
          {helper("id", adding ? t("llmLevelIdHelp") : t("llmLevelIdFixed"))}
        </FormGroup>
        <FormGroup label={t("llmLevelDescription")} fieldId="llm-level-description">
          <TextArea
            id="llm-level-description"
            value={draft.description}
            onChange={(_e, v) => set("description", v)}
            validated={validated("description")}
            resizeOrientation="vertical"
            rows={2}
            data-testid="llm-level-description"
          />
          {helper("description")}
        </FormGroup>
        <FormGroup label={t("llmLevelColor")} fieldId="llm-level-color">
          <InputGroup>
            <InputGroupItem>
              <InputGroupText className="llm-level-form__picker">
                <input
                  type="color"
                  aria-label={t("llmLevelColorPick")}
                  value={swatch.toLowerCase()}
                  onChange={(e) => set("color", e.target.value.toUpperCase())}
                  data-testid="llm-level-color-picker"
                />
              </InputGroupText>
            </InputGroupItem>
            <InputGroupItem isFill>
              <TextInput
                id="llm-level-color"
                value={draft.color}
                onChange={(_e, v) => set("color", v)}
                validated={validated("color")}
                placeholder="#3B82F6"
                data-testid="llm-level-color"
              />
            </InputGroupItem>
          </InputGroup>
          {helper("color", t("llmLevelColorHelp"))}
        </FormGroup>
        <FormGroup label={t("llmLevelCeiling")} fieldId="llm-level-ceiling">
          <InputGroup>
            <InputGroupItem>
              <InputGroupText>$</InputGroupText>
            </InputGroupItem>
            <InputGroupItem isFill>
              <TextInput
                id="llm-level-ceiling"
                value={draft.ceiling}
                onChange={(_e, v) => set("ceiling", v)}
                validated={validated("ceiling")}
                inputMode="decimal"
                placeholder="1.00"
                data-testid="llm-level-ceiling"
              />
            </InputGroupItem>
            <InputGroupItem>
              <InputGroupText>{t("llmLevelPerMillion")}</InputGroupText>
            </InputGroupItem>
          </InputGroup>
          {helper("ceiling", t("llmLevelCeilingHelp"))}
        </FormGroup>
        <FormGroup label={t("llmLevelModels")} fieldId="llm-level-models">
          <TextArea
            id="llm-level-models"
            value={draft.models}
            onChange={(_e, v) => set("models", v)}
            validated={validated("models")}
            resizeOrientation="vertical"
            rows={4}
            placeholder={"gpt-4o-mini\nclaude-3-5-haiku\nclaude-opus-*"}
            data-testid="llm-level-models"
          />
          {helper("models", t("llmLevelModelsHelp"))}
        </FormGroup>
        <FormGroup label={t("llmLevelBudget")} fieldId="llm-level-budget">
          <InputGroup>
            <InputGroupItem>
              <InputGroupText>$</InputGroupText>
            </InputGroupItem>
            <InputGroupItem isFill>
              <TextInput
                id="llm-level-budget"
                value={draft.budget}
                onChange={(_e, v) => set("budget", v)}
                validated={validated("budget")}
                inputMode="decimal"
                placeholder={t("llmLevelNoBudget")}
                data-testid="llm-level-budget"
              />
            </InputGroupItem>
            <InputGroupItem>
              <InputGroupText>{t("llmLevelPerUserMonth")}</InputGroupText>
            </InputGroupItem>
          </InputGroup>
          {helper("budget", t("llmLevelBudgetHelp"))}
        </FormGroup>
        <LimitFields
          idPrefix="llm-level"
          title={t("llmLimitsTitle")}
          description={t("llmLevelLimitsHelp")}
          values={draft}
          errors={Object.fromEntries(LIMIT_KINDS.map((k) => [k, error(k)]))}
          onChange={set}
        />
        <FormGroup fieldId="llm-level-form-default">
          <Checkbox
            id="llm-level-form-default"
            label={t("llmLevelFormDefault")}
            description={isDefault ? t("llmLevelFormDefaultFixed") : t("llmLevelFormDefaultHelp")}
            isChecked={makeDefault}
            isDisabled={isDefault}
            onChange={(_e, checked) => setMakeDefault(checked)}
            data-testid="llm-level-form-default"
          />
        </FormGroup>
      </Form>
    </Modal>
  );
};
