import { useAlerts } from "@keycloak/keycloak-ui-shared";
import {
  ActionGroup,
  AlertVariant,
  Button,
  DataList,
  DataListAction,
  DataListCell,
  DataListCheck,
  DataListContent,
  DataListItem,
  DataListItemCells,
  DataListItemRow,
  Form,
  FormGroup,
  FormHelperText,
  Grid,
  GridItem,
  HelperText,
  HelperTextItem,
  Label,
  TextInput,
} from "@patternfly/react-core";
import { PencilAltIcon } from "@patternfly/react-icons";
import { useState } from "react";
import { useTranslation } from "react-i18next";

import { LLM_NS } from "../../i18n";
import { LlmApiError } from "../api";
import { useLlmPage } from "../context";
import { formatCount } from "../format";
import type { ModelOverride, ModelView } from "../types";
import { formatPrice, saveModel } from "./modelApi";

type Props = {
  providerId: string;
  models: ModelView[];
  /** After a model was saved: the page reloads the provider (its model count and average cost move). */
  onChanged: (model: ModelView) => void;
};

/** The provider's models: enable or disable each, and override its prices. Each change is saved at once. */
export const ModelChecklist = ({ providerId, models, onChanged }: Props) => {
  const { t } = useTranslation(LLM_NS);
  if (models.length === 0) {
    return (
      <HelperText data-testid="llm-models-none">
        <HelperTextItem>{t("llmProvModelsNone")}</HelperTextItem>
      </HelperText>
    );
  }
  return (
    <DataList aria-label={t("llmProvModels")} isCompact className="llm-models" data-testid="llm-models">
      {models.map((m, i) => (
        <ModelRow key={m.id} index={i} providerId={providerId} model={m} onChanged={onChanged} />
      ))}
    </DataList>
  );
};

const price = (v: number | undefined) => (v === undefined ? "" : String(v));

type PriceField = "inputPrice" | "outputPrice" | "cachedInputPrice";

const ModelRow = ({
  index,
  providerId,
  model: m,
  onChanged,
}: {
  index: number;
  providerId: string;
  model: ModelView;
  onChanged: (model: ModelView) => void;
}) => {
  const { t } = useTranslation(LLM_NS);
  const { addAlert } = useAlerts();
  const { api } = useLlmPage();
  const [busy, setBusy] = useState(false);
  const [editing, setEditing] = useState(false);
  const [prices, setPrices] = useState<Record<PriceField, string>>({
    inputPrice: "",
    outputPrice: "",
    cachedInputPrice: "",
  });
  const [errors, setErrors] = useState<Partial<Record<PriceField, string>>>({});
  const labelId = `llm-model-${providerId}-${index}`;
  const name = m.name ?? m.id;

  const startEditing = () => {
    setPrices({
      inputPrice: price(m.input_price),
      outputPrice: price(m.output_price),
      cachedInputPrice: price(m.cached_input_price),
    });
    setErrors({});
    setEditing(true);
  };

  const save = async (override: ModelOverride, success: string) => {
    setBusy(true);
    try {
      const saved = await saveModel(api, providerId, m.id, override);
      addAlert(success, AlertVariant.success);
      setEditing(false);
      onChanged(saved);
    } catch (e) {
      const field = e instanceof LlmApiError ? e.field : undefined;
      if (field === "inputPrice" || field === "outputPrice" || field === "cachedInputPrice") {
        setErrors({ [field]: (e as Error).message });
      }
      addAlert(t("llmProvModelSaveFailed", { name }), AlertVariant.danger, (e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const savePrices = () => {
    const found: Partial<Record<PriceField, string>> = {};
    const value = (f: PriceField) => prices[f].trim();
    for (const f of ["inputPrice", "outputPrice", "cachedInputPrice"] as PriceField[]) {
      const v = value(f);
      if (v !== "" && (!Number.isFinite(Number(v)) || Number(v) < 0)) {
        found[f] = t("llmProvPriceInvalid");
      }
    }
    if ((value("inputPrice") === "") !== (value("outputPrice") === "")) {
      found[value("inputPrice") === "" ? "inputPrice" : "outputPrice"] = t("llmProvPriceBoth");
    }
    setErrors(found);
    if (Object.keys(found).length) {
      return;
    }
    // Only what changed: input and output go together; an emptied field clears its override.
    const override: ModelOverride = {};
    const pricesChanged =
      value("inputPrice") !== price(m.input_price) || value("outputPrice") !== price(m.output_price);
    if (pricesChanged) {
      override.inputPrice = value("inputPrice") || null;
      override.outputPrice = value("outputPrice") || null;
    }
    const cachedChanged = value("cachedInputPrice") !== price(m.cached_input_price);
    if (cachedChanged) {
      override.cachedInputPrice = value("cachedInputPrice") || null;
    } else if (pricesChanged) {
      // With input and output overridden the server takes the cached price from the override alone: keep the one
      // shown; with both cleared, back to the default cached price too.
      override.cachedInputPrice = value("inputPrice") === "" ? null : value("cachedInputPrice") || null;
    }
    if (Object.keys(override).length === 0) {
      setEditing(false);
      return;
    }
    void save(override, t("llmProvModelPricesSaved", { name }));
  };

  const priceInput = (f: PriceField, label: string) => (
    <GridItem span={12} sm={4}>
      <FormGroup label={label} fieldId={`${labelId}-${f}`}>
        <TextInput
          id={`${labelId}-${f}`}
          type="number"
          min={0}
          step="any"
          value={prices[f]}
          onChange={(_e, v) => setPrices((p) => ({ ...p, [f]: v }))}
          validated={errors[f] ? "error" : "default"}
          data-testid={`llm-model-${f === "inputPrice" ? "input" : f === "outputPrice" ? "output" : "cached"}-price`}
        />
        <FormHelperText>
          <HelperText>
            <HelperTextItem variant={errors[f] ? "error" : "default"}>
              {errors[f] ?? t("llmProvPerMillion")}
            </HelperTextItem>
          </HelperText>
        </FormHelperText>
      </FormGroup>
    </GridItem>
  );

  return (
    <DataListItem
      aria-labelledby={labelId}
      isExpanded={editing}
      data-testid={`llm-model-row-${m.id}`}
      data-enabled={String(m.enabled)}
    >
      <DataListItemRow>
        <DataListCheck
          id={`${labelId}-enabled`}
          aria-labelledby={labelId}
          name={`${labelId}-enabled`}
          isChecked={m.enabled}
          isDisabled={busy}
          onChange={(_e, checked) =>
            void save(
              { enabled: checked },
              checked ? t("llmProvModelEnabled", { name }) : t("llmProvModelDisabled", { name }),
            )
          }
          data-testid="llm-model-enabled"
        />
        <DataListItemCells
          dataListCells={[
            <DataListCell key="name" width={2}>
              <div id={labelId} className="llm-models__name">
                {name}
              </div>
              <div className="llm-models__meta">
                {m.name && m.name !== m.id && <code>{m.id}</code>}
                {m.context_window !== undefined && (
                  <span>{t("llmProvContext", { tokens: formatCount(m.context_window) })}</span>
                )}
              </div>
            </DataListCell>,
            <DataListCell key="prices" width={3} className="llm-models__prices" data-testid="llm-model-prices">
              {m.input_price === undefined || m.output_price === undefined ? (
                <span className="llm-models__meta">{t("llmProvUnpriced")}</span>
              ) : (
                <span>
                  {t("llmProvPrices", {
                    input: formatPrice(m.input_price),
                    output: formatPrice(m.output_price),
                  })}
                  {m.cached_input_price !== undefined &&
                    ` · ${t("llmProvCachedPrice", { cached: formatPrice(m.cached_input_price) })}`}
                </span>
              )}{" "}
              {m.price_source && (
                <Label
                  isCompact
                  color={m.price_source === "admin" ? "blue" : "grey"}
                  data-testid="llm-model-price-source"
                >
                  {m.price_source === "admin"
                    ? t("llmProvSourceAdmin")
                    : m.price_source === "vendor"
                      ? t("llmProvSourceVendor")
                      : t("llmProvSourceCatalog")}
                </Label>
              )}
            </DataListCell>,
          ]}
        />
        <DataListAction
          id={`${labelId}-actions`}
          aria-labelledby={`${labelId} ${labelId}-actions`}
          aria-label={t("llmProvOverridePrices")}
        >
          <Button
            variant="link"
            size="sm"
            icon={<PencilAltIcon />}
            onClick={() => (editing ? setEditing(false) : startEditing())}
            isDisabled={busy}
            aria-expanded={editing}
            data-testid="llm-model-edit-prices"
          >
            {t("llmProvOverridePrices")}
          </Button>
        </DataListAction>
      </DataListItemRow>
      {editing && (
        <DataListContent aria-label={t("llmProvOverridePrices")} isHidden={false}>
          <Form
            onSubmit={(e) => {
              e.preventDefault();
              savePrices();
            }}
          >
            <Grid hasGutter>
              {priceInput("inputPrice", t("llmProvInputPrice"))}
              {priceInput("outputPrice", t("llmProvOutputPrice"))}
              {priceInput("cachedInputPrice", t("llmProvCachedInputPrice"))}
            </Grid>
            <ActionGroup className="llm-models__actions">
              <Button type="submit" size="sm" isLoading={busy} isDisabled={busy} data-testid="llm-model-save-prices">
                {t("llmProvSavePrices")}
              </Button>
              {m.price_source === "admin" && (
                <Button
                  variant="secondary"
                  size="sm"
                  isDisabled={busy}
                  onClick={() =>
                    void save(
                      { inputPrice: null, outputPrice: null, cachedInputPrice: null },
                      t("llmProvModelPricesReset", { name }),
                    )
                  }
                  data-testid="llm-model-reset-prices"
                >
                  {t("llmProvResetPrices")}
                </Button>
              )}
              <Button variant="link" size="sm" onClick={() => setEditing(false)} isDisabled={busy}>
                {t("llmProvCancel")}
              </Button>
            </ActionGroup>
          </Form>
        </DataListContent>
      )}
    </DataListItem>
  );
};
