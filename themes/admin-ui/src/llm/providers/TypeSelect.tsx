import { MenuToggle, Select, SelectList, SelectOption } from "@patternfly/react-core";
import { useState } from "react";

import type { ProviderType } from "../types";
import { ProviderBadge } from "./ProviderBadge";

type Props = {
  id: string;
  types: ProviderType[];
  value: string;
  onChange: (type: string) => void;
  isDisabled?: boolean;
  isInvalid?: boolean;
};

/**
 * The provider type: a menu toggle (`llm-provider-type`) whose options (`llm-provider-type-<type id>`) show the
 * vendor's colour.
 */
export const TypeSelect = ({ id, types, value, onChange, isDisabled, isInvalid }: Props) => {
  const [open, setOpen] = useState(false);
  const selected = types.find((t) => t.id === value);
  return (
    <Select
      isOpen={open}
      selected={value}
      onSelect={(_e, v) => {
        onChange(String(v));
        setOpen(false);
      }}
      onOpenChange={setOpen}
      shouldFocusToggleOnSelect
      toggle={(ref) => (
        <MenuToggle
          ref={ref}
          id={id}
          isFullWidth
          isExpanded={open}
          isDisabled={isDisabled}
          status={isInvalid ? "danger" : undefined}
          onClick={() => setOpen((o) => !o)}
          icon={<ProviderBadge type={value} name={selected?.name} color={selected?.color} size="sm" />}
          data-testid="llm-provider-type"
          data-value={value}
        >
          {selected?.name ?? value}
        </MenuToggle>
      )}
    >
      <SelectList>
        {types.map((t) => (
          <SelectOption
            key={t.id}
            value={t.id}
            icon={<ProviderBadge type={t.id} name={t.name} color={t.color} size="sm" />}
            description={t.default_base_url}
            data-testid={`llm-provider-type-${t.id}`}
          >
            {t.name}
          </SelectOption>
        ))}
      </SelectList>
    </Select>
  );
};
