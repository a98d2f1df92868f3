/* SPDX-License-Identifier: MIT */
/*
 * From a SAML AuthnContextClassRef to the ID token's acr and amr.
 *
 * acr is the class exactly as the IdP sent it (OIDC Core §2 lets acr be
 * any string, and a relying party that asked for a SAML class by name
 * gets back the same name). amr comes from the table below and uses only
 * values registered by RFC 8176 §2, so a client library that knows the
 * registry understands it. Where the registry has no value for a method
 * the class is left out of the table: it then goes into the token as acr
 * only, never with a guessed amr. docs/tokens.md shows the same table;
 * keep the two in step.
 *
 * Choices worth stating:
 *  - Kerberos and ADFS's Windows integrated authentication are "wia": RFC
 *    8176 has no "kerberos" value, and "wia" is its value for Windows
 *    integrated authentication (Kerberos or NTLM under the hood).
 *  - X.509 client certificates (SAML X509, TLSClient, SPKI, PGP, XMLDSig,
 *    ADFS tlsclient/x509) are "pop", proof of possession of a key, since the
 *    class does not say whether the key was in hardware; SmartcardPKI is
 *    "hwk" and "sc", SoftwarePKI "swk".
 *  - Every class that is multi-factor by definition (SAML's
 *    MobileTwoFactor*, ADFS/Entra ID's multipleauthn, the REFEDS MFA
 *    profile) is "mfa". A class does not say which factors were used, so
 *    nothing else is claimed for them.
 */
#include <string.h>

#include "token/token_int.h"

#define SAML_AC	"urn:oasis:names:tc:SAML:2.0:ac:classes:"
#define MS_AM	"http://schemas.microsoft.com/ws/2008/06/identity/" \
		"authenticationmethod/"

static const char *const amr_pwd[] = { "pwd", NULL };
static const char *const amr_wia[] = { "wia", NULL };
static const char *const amr_pop[] = { "pop", NULL };
static const char *const amr_swk[] = { "swk", NULL };
static const char *const amr_hwk_sc[] = { "hwk", "sc", NULL };
static const char *const amr_sc[] = { "sc", NULL };
static const char *const amr_mfa[] = { "mfa", NULL };
static const char *const amr_otp[] = { "otp", NULL };
static const char *const amr_tel[] = { "tel", NULL };

static const struct {
	const char		*class_ref;
	const char *const	*amr;
} table[] = {
	/* SAML 2.0 Authentication Context (saml-authn-context-2.0-os §3.4) */
	{ SAML_AC "Password",				amr_pwd },
	{ SAML_AC "PasswordProtectedTransport",		amr_pwd },
	{ SAML_AC "InternetProtocolPassword",		amr_pwd },
	{ SAML_AC "SecureRemotePassword",		amr_pwd },
	{ SAML_AC "Kerberos",				amr_wia },
	{ SAML_AC "X509",				amr_pop },
	{ SAML_AC "TLSClient",				amr_pop },
	{ SAML_AC "SPKI",				amr_pop },
	{ SAML_AC "PGP",				amr_pop },
	{ SAML_AC "XMLDSig",				amr_pop },
	{ SAML_AC "SoftwarePKI",			amr_swk },
	{ SAML_AC "SmartcardPKI",			amr_hwk_sc },
	{ SAML_AC "Smartcard",				amr_sc },
	{ SAML_AC "MobileTwoFactorContract",		amr_mfa },
	{ SAML_AC "MobileTwoFactorUnregistered",	amr_mfa },
	{ SAML_AC "TimeSyncToken",			amr_otp },
	{ SAML_AC "Telephony",				amr_tel },
	{ SAML_AC "NomadTelephony",			amr_tel },
	{ SAML_AC "PersonalTelephony",			amr_tel },
	{ SAML_AC "AuthenticatedTelephony",		amr_tel },
	/* ADFS and Entra ID */
	{ "urn:federation:authentication:windows",	amr_wia },
	{ MS_AM "password",				amr_pwd },
	{ MS_AM "windows",				amr_wia },
	{ MS_AM "kerberos",				amr_wia },
	{ MS_AM "tlsclient",				amr_pop },
	{ MS_AM "x509",					amr_pop },
	{ "http://schemas.microsoft.com/claims/multipleauthn", amr_mfa },
	/* REFEDS (Shibboleth and research federations) */
	{ "https://refeds.org/profile/mfa",		amr_mfa },
};

const char *const *
s2o_token_amr_for_class(const char *class_ref)
{
	size_t	i;

	if (class_ref == NULL)
		return NULL;
	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (strcmp(table[i].class_ref, class_ref) == 0)
			return table[i].amr;
	return NULL;
}
