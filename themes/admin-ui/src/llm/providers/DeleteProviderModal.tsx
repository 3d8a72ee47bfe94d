import { Button, Modal, ModalVariant } from "@patternfly/react-core";
import { useState } from "react";
import { Trans, useTranslation } from "react-i18next";

import { LLM_NS } from "../../i18n";
import type { Provider } from "../types";

type Props = { provider: Provider; onConfirm: () => Promise<void>; onCancel: () => void };

/** "Delete provider?" naming the provider; the dialog stays until the deletion is done (or failed). */
export const DeleteProviderModal = ({ provider, onConfirm, onCancel }: Props) => {
  const { t } = useTranslation(LLM_NS);
  const [busy, setBusy] = useState(false);
  return (
    <Modal
      isOpen
      variant={ModalVariant.small}
      titleIconVariant="warning"
      title={t("llmProvDeleteTitle")}
      onClose={busy ? undefined : onCancel}
      data-testid="llm-provider-delete-modal"
      actions={[
        <Button
          key="confirm"
          variant="danger"
          isLoading={busy}
          isDisabled={busy}
          onClick={() => {
            setBusy(true);
            void onConfirm().finally(() => setBusy(false));
          }}
          data-testid="llm-provider-delete-confirm"
        >
          {t("llmProvDelete")}
        </Button>,
        <Button
          key="cancel"
          variant="link"
          onClick={onCancel}
          isDisabled={busy}
          data-testid="llm-provider-delete-cancel"
        >
          {t("llmProvCancel")}
        </Button>,
      ]}
    >
      <Trans t={t} i18nKey="llmProvDeleteBody" values={{ name: provider.name }} components={{ b: <strong /> }} />
    </Modal>
  );
};
