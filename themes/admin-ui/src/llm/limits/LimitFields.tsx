import {
  FormGroup,
  FormHelperText,
  FormSection,
  Grid,
  GridItem,
  HelperText,
  HelperTextItem,
  InputGroup,
  InputGroupItem,
  InputGroupText,
  TextInput,
} from "@patternfly/react-core";
import { useTranslation } from "react-i18next";

import { LLM_NS } from "../../i18n";
import { LIMIT_KINDS, type LimitKind, type LimitsDraft } from "./limits";

type Props = {
  /** `llm-level`: ids and test ids `llm-level-requests_per_minute`, errors `llm-level-requests_per_minute-error`. */
  idPrefix: string;
  title: string;
  description?: string;
  values: LimitsDraft;
  /** The message (already translated) under each field. */
  errors: Partial<Record<LimitKind, string | undefined>>;
  onChange: (kind: LimitKind, value: string) => void;
};

const LABEL: Record<LimitKind, string> = {
  requests_per_minute: "llmLimitRequests",
  tokens_per_minute: "llmLimitTokens",
  concurrent_streams: "llmLimitStreams",
};

/** The unit after the field, where the label does not say it. */
const UNIT: Partial<Record<LimitKind, string>> = {
  requests_per_minute: "llmLimitPerMinute",
  tokens_per_minute: "llmLimitPerMinute",
};

/** The three optional rate limits of a level, provider, client or user: empty is no limit, 0 refuses every call. */
export const LimitFields = ({ idPrefix, title, description, values, errors, onChange }: Props) => {
  const { t } = useTranslation(LLM_NS);
  return (
    <FormSection title={title} titleElement="h3" data-testid={`${idPrefix}-limits`}>
      {description && (
        <HelperText>
          <HelperTextItem>{description}</HelperTextItem>
        </HelperText>
      )}
      <Grid hasGutter>
        {LIMIT_KINDS.map((kind) => {
          const id = `${idPrefix}-${kind}`;
          const error = errors[kind];
          return (
            <GridItem key={kind} span={12} md={4}>
              <FormGroup label={t(LABEL[kind])} fieldId={id}>
                <InputGroup>
                  <InputGroupItem isFill>
                    <TextInput
                      id={id}
                      value={values[kind]}
                      onChange={(_e, v) => onChange(kind, v)}
                      validated={error ? "error" : "default"}
                      inputMode="numeric"
                      placeholder={t("llmLimitNone")}
                      data-testid={id}
                    />
                  </InputGroupItem>
                  {UNIT[kind] && (
                    <InputGroupItem>
                      <InputGroupText>{t(UNIT[kind]!)}</InputGroupText>
                    </InputGroupItem>
                  )}
                </InputGroup>
                {error && (
                  <FormHelperText>
                    <HelperText>
                      <HelperTextItem variant="error" data-testid={`${id}-error`}>
                        {error}
                      </HelperTextItem>
                    </HelperText>
                  </FormHelperText>
                )}
              </FormGroup>
            </GridItem>
          );
        })}
      </Grid>
      <HelperText>
        <HelperTextItem>{t("llmLimitFieldsHelp")}</HelperTextItem>
      </HelperText>
    </FormSection>
  );
};
