import { ServerIcon } from "@patternfly/react-icons";

/** Short marks of the vendors (two vendors start with "O"). */
const MARKS: Record<string, string> = {
  openrouter: "OR",
  openai: "AI",
  anthropic: "A",
  together: "T",
  huggingface: "HF",
  cohere: "C",
  groq: "G",
  mistral: "M",
};

type Props = { type: string; name?: string; color?: string; size?: "sm" | "md" };

/** A round badge in the vendor's colour with its mark (a server icon for custom endpoints). */
export const ProviderBadge = ({ type, name, color, size = "md" }: Props) => {
  const mark = MARKS[type] ?? (type === "custom" ? undefined : (name ?? type).charAt(0).toUpperCase());
  return (
    <span
      className={`llm-provider-badge llm-provider-badge--${size}`}
      style={{ background: color ?? "var(--pf-v5-global--palette--black-500)" }}
      aria-hidden
    >
      {mark ?? <ServerIcon />}
    </span>
  );
};
