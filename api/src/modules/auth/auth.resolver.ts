import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { Context } from '../../context.js';
import { AuthPayload, LoginInput, RefreshTokenInput, RegisterInput } from './auth.inputs.js';

@Resolver()
export class AuthResolver {
  @Mutation(() => AuthPayload, { description: 'Creates an account (when registration is open) and signs in' })
  register(@Arg('input', () => RegisterInput) input: RegisterInput, @Ctx() ctx: Context) {
    return ctx.services.auth.register(input);
  }

  @Mutation(() => AuthPayload, { description: 'Throttled per account and per client address' })
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
}
