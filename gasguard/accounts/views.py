"""Sign-in, sign-out and the API token of the signed-in user."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_POST
from rest_framework.authtoken.models import Token

from gasguard.accounts.forms import LoginForm


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


@login_required
def profile(request):
    token = Token.objects.filter(user=request.user).first()
    return render(request, "accounts/profile.html", {"token": token, "page_title": "我的账户"})


@login_required
@require_POST
def token_rotate(request):
    Token.objects.filter(user=request.user).delete()
    token = Token.objects.create(user=request.user)
    return render(
        request, "accounts/profile.html", {"token": token, "new_token": True, "page_title": "我的账户"}
    )
