/* SPDX-License-Identifier: MIT */
/*
 * cli/: the saml2oidc program. main.c dispatches to one file per
 * subcommand. Exit codes: 0 success, 1 input rejected, 2 usage or
 * configuration error.
 */
#ifndef S2O_CLI_H
#define S2O_CLI_H

#define S2O_EXIT_OK		0
#define S2O_EXIT_REJECTED	1
#define S2O_EXIT_USAGE		2

struct s2o_cli_command {
	const char	*name;
	const char	*summary;
	int		(*run)(int argc, char **argv);
	void		(*help)(void);
};

/* cmd_check.c */
int	s2o_cli_check_config(int argc, char **argv);
void	s2o_cli_check_config_help(void);

/* cmd_metadata.c */
int	s2o_cli_metadata(int argc, char **argv);
void	s2o_cli_metadata_help(void);

/* cmd_consume.c */
int	s2o_cli_consume(int argc, char **argv);
void	s2o_cli_consume_help(void);

/* cmd_keys.c */
int	s2o_cli_keygen(int argc, char **argv);
void	s2o_cli_keygen_help(void);
int	s2o_cli_jwks(int argc, char **argv);
void	s2o_cli_jwks_help(void);

/* cmd_mappings.c */
int	s2o_cli_mappings(int argc, char **argv);
void	s2o_cli_mappings_help(void);

/* cmd_serve.c */
int	s2o_cli_serve(int argc, char **argv);
void	s2o_cli_serve_help(void);

#endif
