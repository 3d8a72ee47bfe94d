/** Power levels: the form's draft, its checks (the API's rules, docs/power-levels.md), and the API's field names. */
import {
  fromLimitsDraft,
  hasLimits,
  LIMIT_KINDS,
  limitError,
  limitKindOf,
  limitsDraft,
  type LimitsDraft,
} from "../limits/limits";
import type { PowerLevel, PowerLevels } from "../types";

export const ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,31}$/;
export const COLOR_PATTERN = /^#[0-9A-Fa-f]{6}$/;
export const MAX_LEVELS = 20;
const MAX_AMOUNT = 1_000_000;

/** What the form edits: every field as typed (the rate limits by the API's names). */
export type LevelDraft = LimitsDraft & {
  id: string;
  name: string;
  description: string;
  color: string;
  ceiling: string;
  models: string;
  budget: string;
};

export type DraftField = keyof LevelDraft;

/** The message keys of what is wrong, per field. */
export type DraftErrors = Partial<Record<DraftField, string>>;

export const EMPTY_DRAFT: LevelDraft = {
  id: "",
  name: "",
  description: "",
  color: "#6366F1",
  ceiling: "",
  models: "",
  budget: "",
  ...limitsDraft(),
};

export function toDraft(level: PowerLevel): LevelDraft {
  return {
    id: level.id,
    name: level.name,
    description: level.description ?? "",
    color: level.color ?? "",
    ceiling: level.price_ceiling === undefined || level.price_ceiling === null ? "" : String(level.price_ceiling),
    models: (level.models ?? []).join("\n"),
    budget: level.monthly_budget === undefined || level.monthly_budget === null ? "" : String(level.monthly_budget),
    ...limitsDraft(level.limits),
  };
}

/** Model ids from the text area: one per line or separated by commas, blanks dropped, duplicates once. */
export function parseModels(text: string): string[] {
  return [
    ...new Set(
      text
        .split(/[\n,]/)
        .map((m) => m.trim())
        .filter((m) => m.length > 0),
    ),
  ];
}

/** A level id from a name, for a new level until the admin types an id of their own. */
export function slug(name: string): string {
  return name
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^a-z0-9_-]+/g, "-")
    .replace(/^[-_]+|-+$/g, "")
    .slice(0, 32);
}

function amountError(text: string, decimals: number): string | undefined {
  const s = text.trim();
  if (s === "") {
    return undefined;
  }
  if (!/^\d+(\.\d+)?$/.test(s) || Number(s) > MAX_AMOUNT) {
    return "llmLevelErrorAmount";
  }
  const fraction = s.split(".")[1]?.replace(/0+$/, "") ?? "";
  if (fraction.length > decimals) {
    return decimals === 4 ? "llmLevelErrorBudgetDecimals" : "llmLevelErrorCeilingDecimals";
  }
  return undefined;
}

/** The form's checks; `otherIds` are the ids of the other levels (an id is unique). */
export function validate(draft: LevelDraft, otherIds: string[]): DraftErrors {
  const errors: DraftErrors = {};
  const id = draft.id.trim();
  if (id === "") {
    errors.id = "llmLevelErrorIdRequired";
  } else if (!ID_PATTERN.test(id)) {
    errors.id = "llmLevelErrorIdPattern";
  } else if (otherIds.includes(id)) {
    errors.id = "llmLevelErrorIdTaken";
  }
  if (draft.name.trim() === "") {
    errors.name = "llmLevelErrorNameRequired";
  } else if (draft.name.trim().length > 255) {
    errors.name = "llmLevelErrorNameLong";
  }
  if (draft.description.trim().length > 1024) {
    errors.description = "llmLevelErrorDescriptionLong";
  }
  if (draft.color.trim() !== "" && !COLOR_PATTERN.test(draft.color.trim())) {
    errors.color = "llmLevelErrorColor";
  }
  const ceiling = amountError(draft.ceiling, 8);
  if (ceiling) {
    errors.ceiling = ceiling;
  }
  const budget = amountError(draft.budget, 4);
  if (budget) {
    errors.budget = budget;
  }
  const models = parseModels(draft.models);
  if (models.some((m) => m.length > 255)) {
    errors.models = "llmLevelErrorModelLong";
  } else if (models.length > 200) {
    errors.models = "llmLevelErrorModelsMany";
  }
  for (const kind of LIMIT_KINDS) {
    const limit = limitError(draft[kind]);
    if (limit) errors[kind] = limit;
  }
  if (!errors.ceiling && draft.ceiling.trim() === "" && models.length === 0) {
    errors.ceiling = "llmLevelErrorCeilingOrModels";
  }
  return errors;
}

/** The level the draft describes, as the API takes it (fields without a value left out). */
export function fromDraft(draft: LevelDraft): PowerLevel {
  const models = parseModels(draft.models);
  const level: PowerLevel = { id: draft.id.trim(), name: draft.name.trim() };
  if (draft.description.trim()) level.description = draft.description.trim();
  if (draft.color.trim()) level.color = draft.color.trim().toUpperCase();
  if (draft.ceiling.trim()) level.price_ceiling = Number(draft.ceiling.trim());
  if (models.length) level.models = models;
  if (draft.budget.trim()) level.monthly_budget = Number(draft.budget.trim());
  const limits = fromLimitsDraft(draft);
  if (hasLimits(limits)) level.limits = limits;
  return level;
}

/** A level with only the fields the PUT accepts (it refuses unknown ones). */
export function clean(level: PowerLevel): PowerLevel {
  const out: PowerLevel = { id: level.id, name: level.name };
  if (level.description != null) out.description = level.description;
  if (level.color != null) out.color = level.color;
  if (level.price_ceiling != null) out.price_ceiling = level.price_ceiling;
  if (level.models != null) out.models = level.models;
  if (level.monthly_budget != null) out.monthly_budget = level.monthly_budget;
  if (hasLimits(level.limits)) out.limits = level.limits;
  return out;
}

export function body(levels: PowerLevel[], defaultId: string): PowerLevels {
  return { levels: levels.map(clean), default: defaultId };
}

const API_FIELDS: Record<string, DraftField> = {
  id: "id",
  name: "name",
  description: "description",
  color: "color",
  price_ceiling: "ceiling",
  models: "models",
  monthly_budget: "budget",
};

/**
 * The form field an API error names (`levels[2].monthly_budget`, `levels[2].limits.tokens_per_minute`), when it is
 * about the level at `index`; `levels[2]` alone (ceiling or models missing) goes to the ceiling.
 */
export function draftFieldOf(apiField: string | undefined, index: number): DraftField | undefined {
  const match = apiField ? /^levels\[(\d+)\](?:\.(\w+))?(?:\..*)?$/.exec(apiField) : null;
  if (!match || Number(match[1]) !== index) {
    return undefined;
  }
  if (match[2] === "limits") {
    return limitKindOf(apiField, `levels[${index}].limits`);
  }
  return match[2] === undefined ? "ceiling" : API_FIELDS[match[2]];
}

/** USD with at least two decimals and as many more as the amount has (ceilings may have up to eight). */
export function formatAmount(amount: number): string {
  return new Intl.NumberFormat(undefined, {
    style: "currency",
    currency: "USD",
    minimumFractionDigits: 2,
    maximumFractionDigits: 8,
  }).format(amount);
}
