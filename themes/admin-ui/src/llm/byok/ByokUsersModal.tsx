import { useRealm } from "@keycloak/keycloak-admin-ui";
import {
  Alert,
  AlertActionLink,
  Button,
  EmptyState,
  EmptyStateBody,
  Label,
  LabelGroup,
  Modal,
  ModalVariant,
  Pagination,
  Skeleton,
} from "@patternfly/react-core";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router-dom";

import { LLM_NS } from "../../i18n";
import { useLlmPage } from "../context";
import { useLoad } from "../hooks";
import { TypeLabel } from "./TypeLabel";
import { sortTypes, typeInfo } from "./typeNames";

/** The users who keep their own keys, a page at a time (never the keys). */
export const ByokUsersModal = ({ total, onClose }: { total: number; onClose: () => void }) => {
  const { t } = useTranslation(LLM_NS);
  const { api, providerTypes } = useLlmPage();
  const { realm } = useRealm();
  const [page, setPage] = useState(1);
  const [perPage, setPerPage] = useState(10);
  const first = (page - 1) * perPage;
  const users = useLoad((signal) => api.byok(first, perPage, signal), [api, first, perPage]);
  const count = users.value?.users_with_keys ?? total;

  const pagination = (position: "top" | "bottom") => (
    <Pagination
      itemCount={count}
      page={page}
      perPage={perPage}
      perPageOptions={[10, 20, 50, 100].map((n) => ({ title: String(n), value: n }))}
      onSetPage={(_e, p) => setPage(p)}
      onPerPageSelect={(_e, n) => {
        setPerPage(n);
        setPage(1);
      }}
      isCompact={position === "top"}
      variant={position}
      widgetId={`llm-byok-users-pagination-${position}`}
      data-testid={`llm-byok-users-pagination-${position}`}
    />
  );

  const rows = users.value?.users ?? [];
  return (
    <Modal
      variant={ModalVariant.medium}
      title={t("llmByokUsersTitle")}
      description={t("llmByokUsersDescription")}
      isOpen
      onClose={onClose}
      data-testid="llm-byok-users-modal"
      actions={[
        <Button key="close" variant="primary" onClick={onClose} data-testid="llm-byok-users-close">
          {t("llmByokClose")}
        </Button>,
      ]}
    >
      {users.error && (
        <Alert
          variant="danger"
          isInline
          title={t("llmByokUsersFailed")}
          actionLinks={<AlertActionLink onClick={users.reload}>{t("llmByokRetry")}</AlertActionLink>}
          data-testid="llm-byok-users-error"
        >
          {users.error.message}
        </Alert>
      )}
      {pagination("top")}
      {!users.loading && !users.error && rows.length === 0 ? (
        <EmptyState variant="xs" data-testid="llm-byok-users-empty">
          <EmptyStateBody>{first > 0 ? t("llmByokUsersNoMore") : t("llmByokUsersEmpty")}</EmptyStateBody>
        </EmptyState>
      ) : (
        <table
          className="pf-v5-c-table pf-m-compact pf-m-grid-md"
          role="grid"
          aria-label={t("llmByokUsersTitle")}
          data-testid="llm-byok-users-table"
        >
          <thead className="pf-v5-c-table__thead">
            <tr className="pf-v5-c-table__tr" role="row">
              <th className="pf-v5-c-table__th" role="columnheader" scope="col">
                {t("llmByokUsername")}
              </th>
              <th className="pf-v5-c-table__th" role="columnheader" scope="col">
                {t("llmByokUserStatus")}
              </th>
              <th className="pf-v5-c-table__th" role="columnheader" scope="col">
                {t("llmByokKeyTypes")}
              </th>
            </tr>
          </thead>
          <tbody className="pf-v5-c-table__tbody" role="rowgroup">
            {users.loading && rows.length === 0
              ? [0, 1, 2].map((i) => (
                  <tr key={i} className="pf-v5-c-table__tr" role="row">
                    {[0, 1, 2].map((j) => (
                      <td key={j} className="pf-v5-c-table__td" role="gridcell">
                        <Skeleton screenreaderText={j === 0 && i === 0 ? t("llmLoading") : undefined} />
                      </td>
                    ))}
                  </tr>
                ))
              : rows.map((user) => (
                  <tr
                    key={user.id}
                    className="pf-v5-c-table__tr"
                    role="row"
                    data-testid={`llm-byok-user-row-${user.id}`}
                  >
                    <td className="pf-v5-c-table__td" role="gridcell" data-label={t("llmByokUsername")}>
                      {user.username ? (
                        <Link
                          to={`/${encodeURIComponent(realm)}/users/${encodeURIComponent(user.id)}/settings`}
                          data-testid="llm-byok-user-name"
                        >
                          {user.username}
                        </Link>
                      ) : (
                        <span className="llm-byok-muted" data-testid="llm-byok-user-name">
                          {t("llmByokUserGone", { id: user.id })}
                        </span>
                      )}
                    </td>
                    <td className="pf-v5-c-table__td" role="gridcell" data-label={t("llmByokUserStatus")}>
                      {user.enabled ? (
                        <Label color="green" isCompact data-testid="llm-byok-user-enabled">
                          {t("llmByokEnabled")}
                        </Label>
                      ) : (
                        <Label color="grey" isCompact data-testid="llm-byok-user-enabled">
                          {t("llmByokDisabled")}
                        </Label>
                      )}
                    </td>
                    <td className="pf-v5-c-table__td" role="gridcell" data-label={t("llmByokKeyTypes")}>
                      <LabelGroup numLabels={5} isCompact data-testid="llm-byok-user-types">
                        {sortTypes(providerTypes.value, user.provider_types).map((type) => (
                          <TypeLabel key={type} {...typeInfo(providerTypes.value, type)} />
                        ))}
                      </LabelGroup>
                    </td>
                  </tr>
                ))}
          </tbody>
        </table>
      )}
      {count > perPage && pagination("bottom")}
    </Modal>
  );
};
