/* SPDX-License-Identifier: MIT */
/*
 * DOM helpers for saml/. Names are matched by namespace URI and local name
 * only: a prefix says nothing about what an element is.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "saml/saml_int.h"

bool
s2o_saml_is(const xmlNode *n, const char *ns, const char *name)
{
	return n != NULL && n->type == XML_ELEMENT_NODE && n->ns != NULL &&
	    n->ns->href != NULL && strcmp((const char *)n->ns->href, ns) == 0 &&
	    strcmp((const char *)n->name, name) == 0;
}

xmlNodePtr
s2o_saml_child(const xmlNode *parent, const char *ns, const char *name)
{
	xmlNodePtr	c;

	for (c = parent->children; c != NULL; c = c->next)
		if (s2o_saml_is(c, ns, name))
			return c;
	return NULL;
}

size_t
s2o_saml_count(const xmlNode *parent, const char *ns, const char *name)
{
	xmlNodePtr	c;
	size_t		n = 0;

	for (c = parent->children; c != NULL; c = c->next)
		if (s2o_saml_is(c, ns, name))
			n++;
	return n;
}

const char *
s2o_saml_prop(const xmlNode *n, const char *name)
{
	xmlAttrPtr	a;

	for (a = n->properties; a != NULL; a = a->next) {
		if (a->ns != NULL || strcmp((const char *)a->name, name) != 0)
			continue;
		/* without a DTD an attribute value is one text node */
		if (a->children == NULL)
			return "";
		if (a->children->type == XML_TEXT_NODE &&
		    a->children->next == NULL)
			return (const char *)a->children->content;
		return NULL;
	}
	return NULL;
}

char *
s2o_saml_text(const xmlNode *n, struct s2o_err *err)
{
	xmlChar	*c;
	char	*s;

	/*
	 * xmlNodeGetContent concatenates every text and CDATA descendant and
	 * skips comments, so "user@example.com<!---->.evil" reads whole
	 * (the CVE-2017-11427 family truncated at the comment).
	 */
	if ((c = xmlNodeGetContent(n)) == NULL)
		return s2o_strdup("", err);
	s = s2o_strdup((const char *)c, err);
	xmlFree(c);
	return s;
}

const char *
s2o_saml_name(const xmlNode *n, char *buf, size_t size)
{
	if (n->ns != NULL && n->ns->prefix != NULL)
		snprintf(buf, size, "%s:%s", n->ns->prefix, n->name);
	else
		snprintf(buf, size, "%s", n->name);
	return buf;
}
