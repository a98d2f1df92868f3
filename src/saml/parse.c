/* SPDX-License-Identifier: MIT */
/*
 * Step 2: parse safely, and the library plumbing that goes with it.
 *
 * libxml2 reads the document with XML_PARSE_NONET and without NOENT,
 * DTDLOAD, DTDATTR or HUGE. A DOCTYPE of any kind stops the parser at once
 * (through the SAX internalSubset callback, before any entity is declared),
 * which closes XXE and entity-expansion attacks at the door. The tree walk
 * then bounds nesting depth and checks that every ID is unique document-
 * wide before registering it, so a "#id" reference can resolve to one
 * element only.
 */
#include <stdio.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/valid.h>
#include <libxml/hash.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/errors.h>
#include <xmlsec/crypto.h>

#include <curl/curl.h>

#include "saml/saml_int.h"

static _Thread_local char	lib_message[256];
static _Thread_local bool	dtd_seen;

const char *
s2o_saml_lib_message(void)
{
	return lib_message;
}

void
s2o_saml_lib_message_reset(void)
{
	lib_message[0] = '\0';
}

static void
lib_message_keep(const char *msg)
{
	char	*p;

	if (lib_message[0] != '\0' || msg == NULL)
		return;
	s2o_strlcpy(lib_message, msg, sizeof(lib_message));
	for (p = lib_message; *p != '\0'; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	for (p = lib_message + strlen(lib_message); p > lib_message &&
	    p[-1] == ' '; p--)
		p[-1] = '\0';
}

/* libxml2's messages are kept for the detail of "malformed", not printed */
static void
xml_error(void *ctx, const xmlError *e)
{
	char	msg[256];

	(void)ctx;
	if (e == NULL || e->level == XML_ERR_WARNING)
		return;
	snprintf(msg, sizeof(msg), "line %d: %s", e->line,
	    e->message ? e->message : "error");
	lib_message_keep(msg);
}

/* xmlsec's errors go to debug logs: reasons come from our own checks */
static void
xmlsec_error(const char *file, int line, const char *func,
    const char *object, const char *subject, int reason, const char *msg)
{
	(void)file;
	(void)line;
	s2o_log(S2O_LOG_DEBUG, "xmlsec", "%s: %s: %s: reason %d: %s",
	    func ? func : "?", object ? object : "", subject ? subject : "",
	    reason, msg ? msg : "");
}

int
s2o_saml_init(struct s2o_err *err)
{
	xmlInitParser();
	xmlSetStructuredErrorFunc(NULL, (xmlStructuredErrorFunc)xml_error);
	if (xmlSecInit() < 0)
		return s2o_err_set(err, S2O_R_INTERNAL, "xmlsec: init failed");
	if (xmlSecCheckVersion() != 1)
		return s2o_err_set(err, S2O_R_INTERNAL,
		    "xmlsec: the loaded library does not match its headers");
	if (xmlSecCryptoAppInit(NULL) < 0 || xmlSecCryptoInit() < 0)
		return s2o_err_set(err, S2O_R_INTERNAL,
		    "xmlsec: OpenSSL back end init failed");
	xmlSecErrorsSetCallback(xmlsec_error);
	/* before any thread: metadata refreshes fetch from another one */
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return s2o_err_set(err, S2O_R_INTERNAL, "libcurl: init failed");
	return 0;
}

void
s2o_saml_shutdown(void)
{
	xmlSecCryptoShutdown();
	xmlSecCryptoAppShutdown();
	xmlSecShutdown();
	xmlCleanupParser();
	curl_global_cleanup();
}

static void
deny_dtd(void *ctx, const xmlChar *name, const xmlChar *eid,
    const xmlChar *sid)
{
	(void)name;
	(void)eid;
	(void)sid;
	dtd_seen = true;
	xmlStopParser((xmlParserCtxtPtr)ctx);
}

static int
check_id(xmlHashTablePtr seen, xmlDocPtr doc, xmlAttrPtr a,
    struct s2o_err *err)
{
	xmlAttrPtr	 existing;
	xmlChar		*v;
	char		 shown[64];
	int	 rc = 0;

	if ((v = xmlNodeListGetString(doc, a->children, 1)) == NULL)
		return s2o_err_oom(err);
	existing = xmlGetID(doc, v);
	if (xmlHashLookup(seen, v) != NULL || (existing != NULL &&
	    existing != a)) {
		rc = s2o_err_set(err, S2O_R_MALFORMED, "duplicate ID \"%s\"",
		    s2o_str_excerpt(shown, sizeof(shown), (char *)v, 48));
	} else if (xmlHashAddEntry(seen, v, a) != 0) {
		rc = s2o_err_oom(err);
	} else if (existing == NULL && xmlAddID(NULL, doc, v, a) == NULL) {
		rc = s2o_err_oom(err);
	}
	xmlFree(v);
	return rc;
}

static bool
is_id_attr(const xmlAttr *a)
{
	/* SAML's ID, XML DSig and xmlenc's Id, and xml:id */
	if (a->ns == NULL)
		return strcmp((const char *)a->name, "ID") == 0 ||
		    strcmp((const char *)a->name, "Id") == 0;
	return strcmp((const char *)a->name, "id") == 0 &&
	    strcmp((const char *)a->ns->href, (const char *)XML_XML_NAMESPACE)
	    == 0;
}

int
s2o_saml_ids_register(xmlDocPtr doc, xmlNodePtr top, struct s2o_err *err)
{
	xmlHashTablePtr	 seen;
	xmlNodePtr	 n = top;
	xmlAttrPtr	 a;
	unsigned int	 depth = 1;
	int		 rc = 0;

	if ((seen = xmlHashCreate(16)) == NULL)
		return s2o_err_oom(err);
	/* IDs registered before (the rest of the document) count too */
	while (n != NULL && rc == 0) {
		if (n->type == XML_ELEMENT_NODE) {
			if (depth > S2O_SAML_MAX_DEPTH) {
				rc = s2o_err_set(err, S2O_R_TOO_LARGE,
				    "elements nested deeper than %d levels",
				    S2O_SAML_MAX_DEPTH);
				break;
			}
			for (a = n->properties; a != NULL && rc == 0;
			    a = a->next)
				if (is_id_attr(a))
					rc = check_id(seen, doc, a, err);
			if (n->children != NULL) {
				n = n->children;
				depth++;
				continue;
			}
		}
		while (n != NULL && n != top && n->next == NULL) {
			n = n->parent;
			depth--;
		}
		if (n == NULL || n == top)
			break;
		n = n->next;
	}
	xmlHashFree(seen, NULL);
	return rc;
}

xmlDocPtr
s2o_saml_xml_parse(const char *xml, size_t len, struct s2o_err *err)
{
	xmlParserCtxtPtr	 ctxt;
	xmlDocPtr		 doc;
	const int		 opts = XML_PARSE_NONET | XML_PARSE_NOERROR |
				    XML_PARSE_NOWARNING;

	if (len > INT32_MAX) {
		s2o_err_set(err, S2O_R_TOO_LARGE, "document too large");
		return NULL;
	}
	if ((ctxt = xmlNewParserCtxt()) == NULL) {
		s2o_err_oom(err);
		return NULL;
	}
	ctxt->sax->internalSubset = deny_dtd;
	dtd_seen = false;
	s2o_saml_lib_message_reset();
	doc = xmlCtxtReadMemory(ctxt, xml, (int)len, "response.xml", NULL,
	    opts);
	xmlFreeParserCtxt(ctxt);
	if (dtd_seen || (doc != NULL && (doc->intSubset != NULL ||
	    doc->extSubset != NULL))) {
		xmlFreeDoc(doc);
		s2o_err_set(err, S2O_R_MALFORMED,
		    "a DOCTYPE is not allowed in a SAML message");
		return NULL;
	}
	if (doc == NULL || xmlDocGetRootElement(doc) == NULL) {
		xmlFreeDoc(doc);
		s2o_err_set(err, S2O_R_MALFORMED, "not well-formed XML: %s",
		    lib_message[0] ? lib_message : "no root element");
		return NULL;
	}
	if (s2o_saml_ids_register(doc, xmlDocGetRootElement(doc), err) == -1) {
		xmlFreeDoc(doc);
		return NULL;
	}
	return doc;
}
