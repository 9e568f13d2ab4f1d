import { Arg, Ctx, Int, Mutation, Resolver } from 'type-graphql';
import type { Context } from '../../context.js';
import { AuthPayload, LoginInput, RefreshTokenInput, RegisterInput } from './auth.inputs.js';

@Resolver()
export class AuthResolver {
  @Mutation(() => AuthPayload, {
    description: 'Creates an account and signs in: REGISTRATION=open, or invite with an inviteToken',
  })
  register(@Arg('input', () => RegisterInput) input: RegisterInput, @Ctx() ctx: Context) {
    return ctx.services.auth.register(input);
  }

  @Mutation(() => AuthPayload, {
    description: 'Throttled per account+client address and per client address, with a growing wait',
  })
  login(@Arg('input', () => LoginInput) input: LoginInput, @Ctx() ctx: Context) {
    return ctx.services.auth.login(input);
  }

  @Mutation(() => AuthPayload, { description: 'Rotates the refresh token (argument or cookie)' })
  refreshToken(
    @Arg('input', () => RefreshTokenInput, { nullable: true }) input: RefreshTokenInput | null,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.auth.refresh(input?.refreshToken);
  }

  @Mutation(() => Boolean, { description: 'Ends the current session' })
  logout(@Ctx() ctx: Context) {
    return ctx.services.auth.logout();
  }

  @Mutation(() => Int, {
    description:
      'Needs user:manage. Ends the sign-in waits of an account (on every address, or on ip) and, given ip, of that address; returns the counters cleared',
  })
  clearSignInThrottle(
    @Arg('email', () => String) email: string,
    @Arg('ip', () => String, { nullable: true }) ip: string | null,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.auth.clearSignInThrottle(email, ip);
  }
}
