import {
  ActionGroup,
  AlertVariant,
  Button,
  DataList,
  DataListAction,
  DataListCell,
  DataListItem,
  DataListItemCells,
  DataListItemRow,
  EmptyState,
  EmptyStateActions,
  EmptyStateBody,
  EmptyStateFooter,
  EmptyStateHeader,
  EmptyStateIcon,
  Form,
  FormGroup,
  FormHelperText,
  HelperText,
  HelperTextItem,
  Label,
  LabelGroup,
  Modal,
  ModalVariant,
  Split,
  SplitItem,
  Text,
  TextContent,
  TextInput,
  Title,
  Tooltip,
} from "@patternfly/react-core";
import {
  ArrowRightIcon,
  ExclamationTriangleIcon,
  PencilAltIcon,
  PlusIcon,
  TagIcon,
  TrashIcon,
} from "@patternfly/react-icons";
import { useAlerts } from "@keycloak/keycloak-ui-shared";
import { useMemo, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";

import { LLM_NS } from "../../i18n";
import { LlmApiError } from "../api";
import { useLlmPage } from "../context";
import { useLoad } from "../hooks";
import type { RoutingRules } from "../types";

type Props = {
  rules: RoutingRules;
  onSaved: (rules: RoutingRules) => void;
};

/** The alias being added (`original` undefined) or edited, as typed. */
type Draft = { original?: string; name: string; models: string };
type FieldErrors = { name?: string; models?: string };

const modelsOf = (target: string | string[]) => (Array.isArray(target) ? target : [target]);

/** "a, b c" → ["a", "b", "c"]: model ids contain neither commas nor spaces. */
const parseModels = (text: string) => text.split(/[\s,]+/).filter((m) => m.length > 0);

/** Which field of the form an API refusal of `aliases` is about: the model ids, or else the alias's name. */
const fieldOf = (error: unknown): keyof FieldErrors | undefined => {
  if (!(error instanceof LlmApiError) || error.field !== "aliases") return undefined;
  return /model ids|refers to itself/i.test(error.message) ? "models" : "name";
};

/**
 * The realm's model aliases (a name callers send as `model` for one or more model ids). Every change is saved with
 * PUT /routing/rules {"aliases": all of them}; the API's refusals are shown at the field and as an alert.
 */
export const AliasesSection = ({ rules, onSaved }: Props) => {
  const { t } = useTranslation(LLM_NS);
  const { addAlert } = useAlerts();
  const { api, canManage } = useLlmPage();
  const models = useLoad((signal) => api.models(signal), [api]);
  const known = useMemo(
    () => (models.value ? new Set(models.value.models.map((m) => m.id)) : undefined),
    [models.value],
  );

  const [draft, setDraft] = useState<Draft>();
  const [errors, setErrors] = useState<FieldErrors>({});
  const [saving, setSaving] = useState(false);
  const [deleting, setDeleting] = useState<string>();

  const aliases = Object.entries(rules.aliases);

  const startAdd = () => {
    setErrors({});
    setDraft({ name: "", models: "" });
  };
  const startEdit = (alias: string) => {
    setErrors({});
    setDraft({ original: alias, name: alias, models: modelsOf(rules.aliases[alias]).join(", ") });
  };
  const cancel = () => {
    setDraft(undefined);
    setErrors({});
  };

  const put = async (next: Record<string, string | string[]>) => {
    const saved = await api.updateRoutingRules({ aliases: next });
    onSaved(saved);
  };

  const save = async (event?: FormEvent) => {
    event?.preventDefault();
    if (!draft || saving) return;
    const name = draft.name.trim();
    const ids = parseModels(draft.models);
    if (name !== draft.original && name in rules.aliases) {
      setErrors({ name: t("llmRouteAliasDuplicate", { alias: name }) });
      return;
    }
    const target: string | string[] = ids.length === 1 ? ids[0] : ids;
    const next: Record<string, string | string[]> = {};
    for (const [alias, models] of aliases) {
      if (alias === draft.original) next[name] = target;
      else next[alias] = models;
    }
    if (draft.original === undefined) next[name] = target;

    setSaving(true);
    setErrors({});
    try {
      await put(next);
      addAlert(
        t(draft.original === undefined ? "llmRouteAliasAdded" : "llmRouteAliasUpdated", { alias: name }),
        AlertVariant.success,
      );
      setDraft(undefined);
    } catch (error) {
      const field = fieldOf(error);
      if (field) setErrors({ [field]: (error as Error).message });
      addAlert(t("llmRouteAliasFailed"), AlertVariant.danger, (error as Error).message);
    } finally {
      setSaving(false);
    }
  };

  const remove = async (alias: string) => {
    setSaving(true);
    try {
      await put(Object.fromEntries(aliases.filter(([a]) => a !== alias)));
      addAlert(t("llmRouteAliasDeleted", { alias }), AlertVariant.success);
      if (draft?.original === alias) cancel();
    } catch (error) {
      addAlert(t("llmRouteAliasDeleteFailed", { alias }), AlertVariant.danger, (error as Error).message);
    } finally {
      setSaving(false);
      setDeleting(undefined);
    }
  };

  const renderForm = (testId: string) =>
    draft && (
      <DataListItem
        key={testId}
        aria-label={t("llmRouteAliasFormLabel")}
        className="llm-alias-form-row"
        data-testid={testId}
        data-editing="true"
      >
        <DataListItemRow>
          <DataListItemCells
            dataListCells={[
              <DataListCell key="form">
                <Form onSubmit={(e) => void save(e)} className="llm-alias-form">
                  <div className="llm-alias-form__fields">
                    <FormGroup label={t("llmRouteAliasName")} isRequired fieldId="llm-alias-name">
                      <TextInput
                        id="llm-alias-name"
                        value={draft.name}
                        onChange={(_e, name) => {
                          setDraft({ ...draft, name });
                          setErrors({ ...errors, name: undefined });
                        }}
                        placeholder={t("llmRouteAliasNamePlaceholder")}
                        validated={errors.name ? "error" : "default"}
                        isRequired
                        autoFocus
                        data-testid="llm-alias-name"
                      />
                      <FormHelperText>
                        <HelperText>
                          <HelperTextItem
                            variant={errors.name ? "error" : "default"}
                            data-testid={errors.name ? "llm-alias-name-error" : undefined}
                          >
                            {errors.name ?? t("llmRouteAliasNameHelp")}
                          </HelperTextItem>
                        </HelperText>
                      </FormHelperText>
                    </FormGroup>
                    <FormGroup label={t("llmRouteAliasModels")} isRequired fieldId="llm-alias-models">
                      <TextInput
                        id="llm-alias-models"
                        value={draft.models}
                        onChange={(_e, models) => {
                          setDraft({ ...draft, models });
                          setErrors({ ...errors, models: undefined });
                        }}
                        placeholder={t("llmRouteAliasModelsPlaceholder")}
                        validated={errors.models ? "error" : "default"}
                        isRequired
                        data-testid="llm-alias-models"
                      />
                      <FormHelperText>
                        <HelperText>
                          <HelperTextItem
                            variant={errors.models ? "error" : "default"}
                            data-testid={errors.models ? "llm-alias-models-error" : undefined}
                          >
                            {errors.models ?? t("llmRouteAliasModelsHelp")}
                          </HelperTextItem>
                          {!errors.models &&
                            known &&
                            parseModels(draft.models)
                              .filter((m) => !known.has(m))
                              .map((m) => (
                                <HelperTextItem key={m} variant="warning" hasIcon>
                                  {t("llmRouteAliasUnknownModelNamed", { model: m })}
                                </HelperTextItem>
                              ))}
                        </HelperText>
                      </FormHelperText>
                    </FormGroup>
                  </div>
                  <ActionGroup className="llm-alias-form__actions">
                    <Button type="submit" isLoading={saving} isDisabled={saving} data-testid="llm-alias-save">
                      {t("llmRouteAliasSave")}
                    </Button>
                    <Button variant="link" onClick={cancel} data-testid="llm-alias-cancel">
                      {t("llmRouteAliasCancel")}
                    </Button>
                  </ActionGroup>
                </Form>
              </DataListCell>,
            ]}
          />
        </DataListItemRow>
      </DataListItem>
    );

  return (
    <section className="llm-route-section" aria-labelledby="llm-route-aliases-title">
      <Split hasGutter className="llm-route-section__intro">
        <SplitItem isFilled>
          <TextContent>
            <Title headingLevel="h2" size="xl" id="llm-route-aliases-title">
              {t("llmRouteAliasesTitle")}
            </Title>
            <Text>{t("llmRouteAliasesHelp")}</Text>
          </TextContent>
        </SplitItem>
        {canManage && aliases.length > 0 && (
          <SplitItem>
            <Button
              variant="secondary"
              icon={<PlusIcon />}
              onClick={startAdd}
              isDisabled={draft !== undefined}
              data-testid="llm-alias-add"
            >
              {t("llmRouteAliasAdd")}
            </Button>
          </SplitItem>
        )}
      </Split>
      {aliases.length === 0 && !draft ? (
        <EmptyState variant="sm" data-testid="llm-aliases-empty">
          <EmptyStateHeader
            titleText={t("llmRouteAliasesEmpty")}
            headingLevel="h3"
            icon={<EmptyStateIcon icon={TagIcon} />}
          />
          <EmptyStateBody>{t("llmRouteAliasesEmptyBody")}</EmptyStateBody>
          {canManage && (
            <EmptyStateFooter>
              <EmptyStateActions>
                <Button variant="primary" icon={<PlusIcon />} onClick={startAdd} data-testid="llm-alias-add">
                  {t("llmRouteAliasAdd")}
                </Button>
              </EmptyStateActions>
            </EmptyStateFooter>
          )}
        </EmptyState>
      ) : (
        <DataList aria-label={t("llmRouteAliasesTitle")} isCompact data-testid="llm-aliases">
          {draft?.original === undefined && renderForm("llm-alias-form")}
          {aliases.map(([alias, target]) =>
            draft?.original === alias ? (
              renderForm(`llm-alias-row-${alias}`)
            ) : (
              <DataListItem key={alias} aria-labelledby={`llm-alias-${alias}`} data-testid={`llm-alias-row-${alias}`}>
                <DataListItemRow>
                  <DataListItemCells
                    dataListCells={[
                      <DataListCell key="alias" className="llm-alias-cell">
                        <code id={`llm-alias-${alias}`} className="llm-alias-name" data-testid="llm-alias-row-name">
                          {alias}
                        </code>
                        <ArrowRightIcon className="llm-alias-arrow" aria-label={t("llmRouteAliasMapsTo")} />
                        <LabelGroup numLabels={6} data-testid="llm-alias-row-models">
                          {modelsOf(target).map((m) =>
                            known && !known.has(m) ? (
                              <Tooltip key={m} content={t("llmRouteAliasUnknownModel")}>
                                <span tabIndex={0} className="llm-alias-unknown">
                                  <Label isCompact color="orange" icon={<ExclamationTriangleIcon />}>
                                    {m}
                                  </Label>
                                </span>
                              </Tooltip>
                            ) : (
                              <Label key={m} isCompact variant="outline">
                                {m}
                              </Label>
                            ),
                          )}
                        </LabelGroup>
                      </DataListCell>,
                    ]}
                  />
                  {canManage && (
                    <DataListAction
                      id={`llm-alias-actions-${alias}`}
                      aria-labelledby={`llm-alias-${alias} llm-alias-actions-${alias}`}
                      aria-label={t("llmRouteAliasActions")}
                    >
                      <Button
                        variant="plain"
                        icon={<PencilAltIcon />}
                        aria-label={t("llmRouteAliasEditLabel", { alias })}
                        title={t("llmRouteAliasEdit")}
                        isDisabled={draft !== undefined || saving}
                        onClick={() => startEdit(alias)}
                        data-testid="llm-alias-edit"
                      />
                      <Button
                        variant="plain"
                        icon={<TrashIcon />}
                        aria-label={t("llmRouteAliasDeleteLabel", { alias })}
                        title={t("llmRouteAliasDelete")}
                        isDisabled={draft !== undefined || saving}
                        onClick={() => setDeleting(alias)}
                        data-testid="llm-alias-delete"
                      />
                    </DataListAction>
                  )}
                </DataListItemRow>
              </DataListItem>
            ),
          )}
        </DataList>
      )}
      {deleting !== undefined && (
        <Modal
          variant={ModalVariant.small}
          title={t("llmRouteAliasDeleteTitle", { alias: deleting })}
          titleIconVariant="warning"
          isOpen
          onClose={() => setDeleting(undefined)}
          data-testid="llm-alias-delete-dialog"
          actions={[
            <Button
              key="confirm"
              variant="danger"
              isLoading={saving}
              isDisabled={saving}
              onClick={() => void remove(deleting)}
              data-testid="llm-alias-delete-confirm"
            >
              {t("llmRouteAliasDelete")}
            </Button>,
            <Button key="cancel" variant="link" onClick={() => setDeleting(undefined)}>
              {t("llmRouteAliasCancel")}
            </Button>,
          ]}
        >
          {t("llmRouteAliasDeleteBody", { alias: deleting })}
        </Modal>
      )}
    </section>
  );
};
