package dev.llmgateway.keycloak.setup;

import java.util.ArrayList;
import java.util.List;

import dev.llmgateway.keycloak.powerlevel.PowerLevelResolver;
import dev.llmgateway.keycloak.powerlevel.PowerLevels;
import org.keycloak.models.ClientSessionContext;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.ProtocolMapperModel;
import org.keycloak.models.UserSessionModel;
import org.keycloak.protocol.oidc.mappers.AbstractOIDCProtocolMapper;
import org.keycloak.protocol.oidc.mappers.OIDCAccessTokenMapper;
import org.keycloak.protocol.oidc.mappers.OIDCAttributeMapperHelper;
import org.keycloak.protocol.oidc.mappers.OIDCIDTokenMapper;
import org.keycloak.protocol.oidc.mappers.TokenIntrospectionTokenMapper;
import org.keycloak.protocol.oidc.mappers.UserInfoTokenMapper;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.representations.IDToken;
import org.keycloak.services.resource.RealmResourceProvider;

/**
 * Puts the user's power level id into tokens ({@code llm_power_level} by default). Levels come from the gateway's
 * cached routing snapshot, so issuing a token costs no extra database query in the steady state.
 */
public class PowerLevelMapper extends AbstractOIDCProtocolMapper
        implements OIDCAccessTokenMapper, OIDCIDTokenMapper, UserInfoTokenMapper, TokenIntrospectionTokenMapper {

    public static final String PROVIDER_ID = "oidc-llm-power-level-mapper";
    private static final List<ProviderConfigProperty> CONFIG = new ArrayList<>();

    static {
        OIDCAttributeMapperHelper.addTokenClaimNameConfig(CONFIG);
        OIDCAttributeMapperHelper.addIncludeInTokensConfig(CONFIG, PowerLevelMapper.class);
    }

    private LlmRealmResourceProviderFactory gateway;

    @Override
    public void postInit(KeycloakSessionFactory factory) {
        gateway = (LlmRealmResourceProviderFactory)
                factory.getProviderFactory(RealmResourceProvider.class, LlmRealmResourceProviderFactory.PROVIDER_ID);
    }

    @Override
    protected void setClaim(
            IDToken token,
            ProtocolMapperModel mappingModel,
            UserSessionModel userSession,
            KeycloakSession session,
            ClientSessionContext clientSessionCtx) {
        PowerLevels levels =
                gateway.state().snapshots().get(session, userSession.getRealm()).powerLevels();
        OIDCAttributeMapperHelper.mapClaim(
                token,
                mappingModel,
                PowerLevelResolver.levelOf(userSession.getUser(), levels).id());
    }

    /** The mapper as the {@code llm} client scope carries it: in access and ID tokens, userinfo and introspection. */
    public static ProtocolMapperModel model() {
        ProtocolMapperModel model = OIDCAttributeMapperHelper.createClaimMapper(
                "llm power level",
                PowerLevelResolver.ATTRIBUTE,
                PowerLevelResolver.ATTRIBUTE,
                "String",
                true,
                true,
                true,
                true,
                PROVIDER_ID);
        // Also in lightweight access tokens (admin-cli and the admin console use them): every token carries the level.
        model.getConfig().put(OIDCAttributeMapperHelper.INCLUDE_IN_LIGHTWEIGHT_ACCESS_TOKEN, "true");
        return model;
    }

    @Override
    public String getId() {
        return PROVIDER_ID;
    }

    @Override
    public String getDisplayType() {
        return "LLM power level";
    }

    @Override
    public String getDisplayCategory() {
        return TOKEN_MAPPER_CATEGORY;
    }

    @Override
    public String getHelpText() {
        return "Adds the user's LLM power level (user attribute, else highest group level, else the realm default) to tokens.";
    }

    @Override
    public List<ProviderConfigProperty> getConfigProperties() {
        return CONFIG;
    }
}
