import { Modal } from "@patternfly/react-core";

import type { Provider } from "./types";

export type ProviderModalProps = {
  /** Absent: add a provider; else configure this one. */
  provider?: Provider;
  onClose: () => void;
  /** Called after each successful save (the modal may stay open). */
  onSaved: (provider: Provider) => void;
};

/** Placeholder until the add / configure dialog is built. */
export default function ProviderModal({ onClose }: ProviderModalProps) {
  return (
    <Modal isOpen onClose={onClose} title="Provider" variant="medium">
      …
    </Modal>
  );
}
